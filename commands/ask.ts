/** /ask (alias /clause) — answer a question from the plans, each fact with its citation. Plain text routes here too. */
import { z } from 'zod';
import { defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { clausePage } from '../src/knowledge/answer.ts';
import { answerButtons, fullClauseReply, parseMoreValue } from '../src/knowledge/answer-buttons.ts';
import { requireReader } from '../src/knowledge/readers.ts';
import type { Reply } from '../src/messages.ts';

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
    const k = ctx.services.knowledge;
    const a = k.answer(question, { now: ctx.services.clock.now() });
    return withButtons(a.reply, answerButtons(k, a));
  },
  actions: {
    /** The next page of clauses for the question the first page answered (value `offset|question`). */
    async more(ctx, value) {
      await requireReader(ctx, 'ask.more');
      const v = parseMoreValue(value);
      if (!v) return { toast: msg.common.staleButton };
      const k = ctx.services.knowledge;
      const page = clausePage(k, v.question, v.offset);
      if (!page) return { toast: T.noMorePages };
      return { reply: withButtons(page.reply, answerButtons(k, page)) };
    },
    /** A clause in full (value: clause id). */
    async full(ctx, value) {
      await requireReader(ctx, 'ask.full');
      const reply = fullClauseReply(ctx.services.knowledge, value.trim());
      return reply ? { reply } : { toast: T.clauseGone };
    },
  },
});

function withButtons(reply: Reply, rows: Reply['buttons']): Reply {
  return rows?.length ? { ...reply, buttons: rows } : reply;
}
