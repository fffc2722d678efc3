/** /toc — list the documents, or show one document's outline (labels and headings). */
import { z } from 'zod';
import { defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { outline } from '../src/knowledge/parser.ts';

const T = msg.knowledge;
/** Longest outline sent in one chat message; the CLI's `xiezuo ingest` shows all of it. */
const MAX_LINES = 150;

export const toc = defineCommand({
  name: 'toc',
  aliases: ['docs', '提纲'],
  role: 'official',
  summary: T.tocSummary,
  usage: T.tocUsage,
  args: z.object({ text: z.string(), words: z.array(z.string()), flags: z.record(z.string(), z.union([z.string(), z.literal(true)])) }),
  async run(ctx, args) {
    const k = ctx.services.knowledge;
    const name = args.words.join(' ').trim();
    if (!name) {
      return {
        title: T.tocTitle,
        blocks: k.docs.map((d) => ({ text: T.tocDocLine(d.meta.id, d.meta.title, d.clauses.length) })),
        footer: T.tocHint,
        tone: 'answer',
      };
    }
    const doc = k.findDoc(name);
    if (!doc) throw new UserError(T.tocUnknownDoc(name), T.tocUsage);
    const lines = outline(doc);
    const shown = lines.slice(0, MAX_LINES);
    const meta = T.tocMeta(doc.meta.issuer, doc.meta.number, doc.meta.date);
    return {
      title: T.tocDocTitle(doc.meta.title, doc.clauses.length),
      blocks: [...(meta ? [{ text: meta }] : []), { text: shown.join('\n') }],
      ...(lines.length > MAX_LINES ? { footer: T.moreLines(lines.length - MAX_LINES) } : {}),
      tone: 'answer',
    };
  },
});
