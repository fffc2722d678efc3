/** `/ack ID`: the typed alternative to pressing 收到 on an alert card. */
import { z } from 'zod';
import { parsedArgs } from '../src/args.ts';
import { defineCommand } from '../src/command.ts';
import { msg } from '../src/i18n/index.ts';
import { pressAck } from './alert.ts';

const t = msg.alerts;

export const ack = defineCommand<{ id: string }>({
  name: 'ack',
  aliases: ['收到'],
  // Anyone in a chat the alert reached may acknowledge for it; elsewhere the emergency role is
  // needed (the service refuses with a Refusal, which the router audits).
  role: null,
  summary: t.ackSummary,
  usage: t.ackUsage,
  args: parsedArgs.transform((a, ctx) => {
      if (!a.words[0]) {
        ctx.addIssue({ code: 'custom', message: t.idMissing });
        return z.NEVER;
      }
      return { id: a.words[0] };
    }),
  async run(ctx, a) {
    const r = await pressAck(ctx, a.id, 'ack');
    const toast = { text: r.toast ?? '' };
    return r.edit ? { ...r.edit, blocks: [toast, ...r.edit.blocks] } : { blocks: [toast], tone: 'notice' };
  },
});
