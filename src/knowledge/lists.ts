/**
 * Clauses that introduce a list ("应当包括下列主要内容：", "遵循以下原则：") and the items that
 * complete them. Derived from the parsed clause tree alone, so it can be recomputed after a
 * snapshot is loaded; the search index and the answers read a list clause with its items.
 */
import type { Clause, ClauseKind } from './parser.ts';

const ITEM_KINDS: ReadonlySet<ClauseKind> = new Set(['cn', 'paren-cn', 'arabic', 'paren-arabic', 'bullet']);
const ENDS_IN_COLON = /[：:]\s*$/;

/** The enumerated items a clause introduces, in order; empty when it introduces none. */
function listItems(c: Clause, clause: (id: string) => Clause | undefined): Clause[] {
  if (!c.children.length) return [];
  const kids = c.children.map(clause).filter((x): x is Clause => !!x);
  const items = kids.filter((x) => ITEM_KINDS.has(x.kind));
  if (!items.length) return [];
  // A clause ending in a colon is incomplete without what follows; an article whose children are
  // all enumerated items reads as one provision. A section heading with numbered sub-sections is
  // neither: its children are clauses in their own right.
  if (ENDS_IN_COLON.test(c.text)) return items;
  if (c.kind === 'article' && items.length === kids.length) return items;
  return [];
}

/** A clause's text followed by its list items, one per line, each with its marker. */
export function textWithItems(c: Clause, clause: (id: string) => Clause | undefined): string {
  const items = listItems(c, clause);
  if (!items.length) return c.text;
  return [c.text, ...items.map((i) => `${i.label}${i.text}`)].join('\n');
}
