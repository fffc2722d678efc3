/** `/audit [n] [--action prefix]`: the latest audit-log entries, for admins. */
import { flagValue } from '../src/args.ts';
import { defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { formatInstant } from '../src/broadcasts/broadcasts.ts';

const t = msg.roles;

export const audit = defineCommand({
  name: 'audit',
  aliases: ['审计'],
  role: 'admin',
  summary: t.auditSummary,
  usage: t.auditUsage,
  flags: { values: ['action'] },
  async run(ctx, a) {
    const { services } = ctx;
    const countText = a.words[0];
    const count = countText === undefined ? 20 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > 200) throw new UserError(t.badCount, t.auditUsage);
    const action = flagValue(a, 'action');
    const entries = await services.audit.latest(count, action);
    if (!entries.length) return { title: t.auditTitle, blocks: [{ text: t.auditEmpty }], tone: 'answer' };
    const zone = services.config.TIMEZONE;
    const lines = entries.map(
      (e) => `${formatInstant(e.at, zone)}  ${e.userName ? `${e.userName}(${e.user})` : e.user}  ${e.action}  ${e.detail}  @${e.chat}`,
    );
    return { title: t.auditTitle, blocks: [{ text: lines.join('\n') }], tone: 'answer' };
  },
});
