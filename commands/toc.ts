/** /toc — list the documents, or show one document's outline (labels and headings). */
import { knowledgeCommand } from './knowledge-command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { outlineButton, outlineReply } from '../src/knowledge/answer-buttons.ts';
import { docCounts } from '../src/knowledge/parser.ts';
import type { Button } from '../src/messages.ts';

const T = msg.knowledge;
/** Outline buttons under the document list: two per row, at most this many documents. */
const MAX_DOC_BUTTONS = 12;

export const toc = knowledgeCommand('toc', ['docs', '提纲'], {
  async run(ctx, args) {
    const k = ctx.services.knowledge;
    const name = args.words.join(' ').trim();
    if (!name) {
      const buttons: Button[][] = [];
      const docs = k.docs.slice(0, MAX_DOC_BUTTONS);
      for (let i = 0; i < docs.length; i += 2) buttons.push(docs.slice(i, i + 2).map(outlineButton));
      return {
        title: T.tocTitle,
        blocks: k.docs.map((d) => ({ text: T.tocDocLine(d.meta.id, d.meta.title, T.docCount(docCounts(d))) })),
        ...(buttons.length ? { buttons } : {}),
        footer: T.tocHint,
        tone: 'answer',
      };
    }
    const doc = k.findDoc(name);
    if (!doc) throw new UserError(T.tocUnknownDoc(name), T.tocUsage);
    return outlineReply(doc);
  },
  actions: {
    /** A document's outline (value: document id). */
    doc: {
      role: 'official',
      async run(ctx, value) {
        const doc = ctx.services.knowledge.doc(value.trim());
        return doc ? { reply: outlineReply(doc) } : { toast: T.docGone };
      },
    },
  },
});
