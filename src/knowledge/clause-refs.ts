/**
 * A clause asked for by its number — 第七十四条 (or 第74条) of a statute, 三（一）6 of a plan — in
 * the document the question names, or in the only document that has a clause so numbered.
 */
import type { PlanDoc } from './corpus.ts';
import { fold } from './fold.ts';
import { type Clause, parseNumeral } from './parser.ts';
import type { KnowledgeView } from './view.ts';

const ARTICLE = /第([一二三四五六七八九十百零〇两\d]+)条/g;
/** 三（一）, 三（一）6, 三（二）1（3）: a plan reference needs its bracketed part to be told from prose. */
const PLAN_REF = /[一二三四五六七八九十]+[、]?[(][一二三四五六七八九十]+[)](?:\d+(?:[(]\d+[)])?)?/g;
/**
 * A reference as compared: articles by number (第74条) — a plan's top-level part (十三) counts as
 * its 第十三条, as officials call it — other plan references folded, without 、.
 */
function normal(ref: string): string {
  const article = /^第([一二三四五六七八九十百零〇两\d]+)条$/.exec(ref) ?? /^([一二三四五六七八九十百]+)$/.exec(ref);
  if (article) return `第${parseNumeral(article[1]!)}条`;
  return fold(ref).replace(/[、\s]/g, '');
}

/** The clause a question asks for by number, or undefined (none, or several documents have it). */
export function referencedClause(k: KnowledgeView, question: string): Clause | undefined {
  const f = fold(question);
  const refs = [...f.matchAll(ARTICLE), ...f.matchAll(PLAN_REF)].map((m) => normal(m[0]));
  if (!refs.length) return undefined;
  const named = k.docsNamedIn(question);
  // The documents named best (two may tie: then a reference only one of them has decides).
  const docs: readonly PlanDoc[] = named.length ? named.filter((x) => x.ratio === named[0]!.ratio).map((x) => x.doc) : k.docs;
  // The longest reference is the most specific (三（一）6 over 三（一）).
  for (const ref of refs.sort((a, b) => b.length - a.length)) {
    const hits = docs.flatMap((d) => d.clauses.filter((c) => normal(c.ref) === ref));
    if (hits.length === 1) return hits[0];
  }
  return undefined;
}
