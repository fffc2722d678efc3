/**
 * What answering needs from the loaded knowledge base. answer.ts works against this view, so
 * Knowledge (which offers `answer()`) can import answer.ts without a cycle back.
 */
import type { PlanDoc } from './corpus.ts';
import type { Deadlines } from './deadlines.ts';
import type { Gazetteer } from './gazetteer.ts';
import type { Pairings } from './pairings.ts';
import type { Clause } from './parser.ts';

export interface ClauseHit {
  clause: Clause;
  score: number;
  /** Share of the query's terms the clause contains (0–1). */
  coverage: number;
}

export interface KnowledgeView {
  readonly docs: readonly PlanDoc[];
  readonly gazetteer: Gazetteer;
  readonly pairings: Pairings;
  readonly deadlines: Deadlines;
  findDoc(name: string): PlanDoc | undefined;
  docsNamedIn(text: string): { doc: PlanDoc; ratio: number }[];
  search(query: string, k?: number): ClauseHit[];
  /** A clause's text with the list items it introduces (see lists.ts). */
  fullText(c: Clause): string;
  /** What a clause says when shown: fullText, or for a bare section heading the parts under it. */
  bodyText(c: Clause): string;
  clause(id: string): Clause | undefined;
}
