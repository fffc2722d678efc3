/** /ask (alias /clause) — answer a question from the plans, each fact with its citation. Plain text routes here too. */
import { z } from 'zod';
import { defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';

const T = msg.knowledge;

export const ask = defineCommand({
  name: 'ask',
  aliases: ['clause', 'q'],
  role: 'official',
  summary: T.askSummary,
  usage: T.askUsage,
  args: z.object({ text: z.string(), words: z.array(z.string()), flags: z.record(z.string(), z.union([z.string(), z.literal(true)])) }),
  async run(ctx, args) {
    const question = args.text.trim();
    if (!question) throw new UserError(T.askEmpty, T.askUsage);
    return ctx.services.knowledge.answer(question, { now: ctx.services.clock.now() }).reply;
  },
});
