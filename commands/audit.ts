/** `/audit [n] [--action prefix]`: the latest audit-log entries, for admins. */
import { z } from 'zod';
import { defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { formatInstant } from '../src/broadcasts.ts';

const t = msg.roles;

const args = z.object({
  text: z.string(),
  words: z.array(z.string()),
  flags: z.record(z.string(), z.union([z.string(), z.literal(true)])),
});

export const audit = defineCommand({
  name: 'audit',
  aliases: ['审计'],
  role: 'admin',
  summary: t.auditSummary,
  usage: t.auditUsage,
  args,
  async run(ctx, a) {
    const { services } = ctx;
    const countText = a.words[0];
    const count = countText === undefined ? 20 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > 200) throw new UserError(t.badCount, t.auditUsage);
    const action = typeof a.flags.action === 'string' ? a.flags.action : undefined;
    const entries = await services.audit.latest(count, action);
    if (!entries.length) return { title: t.auditTitle, blocks: [{ text: t.auditEmpty }], tone: 'answer' };
    const zone = services.config.TIMEZONE;
    const lines = entries.map(
      (e) => `${formatInstant(e.at, zone)}  ${e.userName ? `${e.userName}(${e.user})` : e.user}  ${e.action}  ${e.detail}  @${e.chat}`,
    );
    return { title: t.auditTitle, blocks: [{ text: lines.join('\n') }], tone: 'answer' };
  },
});
