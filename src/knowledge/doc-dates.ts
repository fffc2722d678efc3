/**
 * When a document itself was issued, passed or published (印发、通过、发布 …): not a deadline in
 * the plan but the date the document carries about itself — the signature line of a notice
 * (二〇〇七年三月二十八日) or a statute's head note (2021年4月29日 …会议通过), else the date of its
 * front matter.
 */
import type { PlanDoc } from './corpus.ts';
import { fold } from './fold.ts';
import { type Clause, parseNumeral } from './parser.ts';
import type { KnowledgeView } from './view.ts';

/** Events in a document's own life (施行 is a deadline: deadlines.ts answers it). */
export const DOC_EVENT = /印发|发布|颁布|公布|通过|批准|签发|出台|下发|发文/;
/** The head of a document: its date sits in the first paragraphs, before the body proper. */
const HEAD_CLAUSES = 8;
const DIGIT_DATE = /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/;
const HAN_DATE = /([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日/;
/** A date written in the text, as [year, month, day], or undefined. */
export function dateIn(text: string): [number, number, number] | undefined {
  const d = DIGIT_DATE.exec(text);
  if (d) return [Number(d[1]), Number(d[2]), Number(d[3])];
  const h = HAN_DATE.exec(text);
  if (!h) return undefined;
  // A year is read digit by digit (二〇〇七), a month or day as a number (二十八).
  const year = Number([...h[1]!.replace(/○/g, '〇')].map((c) => parseNumeral(c)).join(''));
  const [month, day] = [parseNumeral(h[2]!), parseNumeral(h[3]!)];
  return month && day ? [year, month, day] : undefined;
}

export interface DocumentDate {
  doc: PlanDoc;
  /** The event asked about, as the question names it. */
  event: string;
  /** [year, month, day], or only the year / year-month the front matter gives. */
  date: number[];
  /** The clause that carries the date; absent when only the front matter has it. */
  clause?: Clause;
}

/**
 * The date of the event a question asks about for the one document it names (by title, short
 * name or document number), or undefined when the question names no such event or no single
 * document.
 */
export function documentDate(k: KnowledgeView, question: string): DocumentDate | undefined {
  const event = DOC_EVENT.exec(fold(question))?.[0];
  if (!event) return undefined;
  const [best, second] = k.docsNamedIn(question);
  if (!best || (second && second.ratio === best.ratio)) return undefined;
  const doc = best.doc;
  // A dated head line that names the event (…会议通过) is the answer; else the first dated line.
  const dated = doc.clauses.slice(0, HEAD_CLAUSES).flatMap((clause) => {
    const date = dateIn(clause.text);
    return date ? [{ clause, date }] : [];
  });
  const line = dated.find((x) => fold(x.clause.text).includes(event)) ?? dated[0];
  if (line) return { doc, event, ...line };
  const fm = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(doc.meta.date);
  if (!fm) return undefined;
  return { doc, event, date: fm.slice(1).filter(Boolean).map(Number) };
}
