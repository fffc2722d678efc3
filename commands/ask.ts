/** /ask (alias /clause) — answer a question from the plans, each fact with its citation. Plain text routes here too. */
import { knowledgeCommand } from './knowledge-command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { clausePage } from '../src/knowledge/answer.ts';
import { answerButtons, fullClauseReply, parseMoreValue } from '../src/knowledge/answer-buttons.ts';
import type { Reply } from '../src/messages.ts';

const T = msg.knowledge;

export const ask = knowledgeCommand('ask', ['clause', 'q'], {
  async run(ctx, args) {
    const question = args.text.trim();
    if (!question) throw new UserError(T.askEmpty, T.askUsage);
    const k = ctx.services.knowledge;
    const a = k.answer(question, { now: ctx.services.clock.now() });
    return withButtons(a.reply, answerButtons(k, a));
  },
  actions: {
    /** The next page of clauses for the question the first page answered (value `offset|question`). */
    more: {
      role: 'official',
      async run(ctx, value) {
      const v = parseMoreValue(value);
      if (!v) return { toast: msg.common.staleButton };
      const k = ctx.services.knowledge;
      const page = clausePage(k, v.question, v.offset);
      if (!page) return { toast: T.noMorePages };
      return { reply: withButtons(page.reply, answerButtons(k, page)) };
      },
    },
    /** A clause in full (value: clause id). */
    full: {
      role: 'official',
      async run(ctx, value) {
        const reply = fullClauseReply(ctx.services.knowledge, value.trim());
        return reply ? { reply } : { toast: T.clauseGone };
      },
    },
  },
});

function withButtons(reply: Reply, rows: Reply['buttons']): Reply {
  return rows?.length ? { ...reply, buttons: rows } : reply;
}
