/**
 * BM25 over clauses with an inverted index. Postings are packed typed arrays with the
 * length-normalised term weight precomputed at build time; a query walks the postings document
 * by document and skips what cannot reach the top k (MaxScore). No per-query allocation beyond
 * one cursor per query term and the small result list.
 */
import { indexTerms, queryTerms } from './tokenize.ts';

/** First index ≥ `from` whose doc is ≥ `target` (exponential then binary search). */
function gallop(docs: Int32Array, from: number, target: number): number {
  const n = docs.length;
  if (from >= n || docs[from]! >= target) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < n && docs[hi]! < target) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > n) hi = n;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid]! < target) lo = mid;
    else hi = mid;
  }
  return hi;
}
const K1 = 1.2;
const B = 0.75;
/** Term-frequency weight of context terms (see the constructor). */
const CONTEXT_WEIGHT = 0.3;

export interface SearchHit {
  /** Index of the document as given to the constructor. */
  doc: number;
  score: number;
  /** How many distinct query terms the document contains. */
  matched: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Distinct query terms known to the index or not (the denominator for coverage). */
  queryTerms: number;
}

export class SearchIndex {
  readonly size: number;
  private readonly termIds = new Map<string, number>();
  private readonly postDocs: Int32Array[] = [];
  private readonly postWeights: Float32Array[] = [];
  private readonly idf: number[] = [];
  /** Per term, the largest length-normalised weight in its postings (MaxScore's upper bound). */
  private readonly maxWeight: number[] = [];

  /**
   * `texts` must already be folded (fold.ts). `contexts` (optional, folded) is text that helps a
   * clause be found but is not its own — e.g. its parent's heading: its terms count at
   * CONTEXT_WEIGHT and do not add to the clause's length, so a parent still outranks its
   * children on the parent's own words.
   */
  constructor(texts: readonly string[], contexts?: readonly string[]) {
    const n = texts.length;
    this.size = n;
    const docs: number[][] = [];
    const tfs: number[][] = [];
    const lens = new Float64Array(n);
    let total = 0;
    const tf = new Map<number, number>();
    for (let d = 0; d < n; d++) {
      const terms = indexTerms(texts[d]!);
      lens[d] = terms.length;
      total += terms.length;
      tf.clear();
      const add = (t: string, by: number) => {
        let id = this.termIds.get(t);
        if (id === undefined) {
          id = docs.length;
          this.termIds.set(t, id);
          docs.push([]);
          tfs.push([]);
        }
        tf.set(id, (tf.get(id) ?? 0) + by);
      };
      for (const t of terms) add(t, 1);
      const ctx = contexts?.[d];
      if (ctx) for (const t of indexTerms(ctx)) add(t, CONTEXT_WEIGHT);
      for (const [id, f] of tf) {
        docs[id]!.push(d);
        tfs[id]!.push(f);
      }
    }
    const avg = n ? total / n || 1 : 1;
    for (let t = 0; t < docs.length; t++) {
      const ds = docs[t]!;
      const fs = tfs[t]!;
      const pd = new Int32Array(ds.length);
      const pw = new Float32Array(ds.length);
      let max = 0;
      for (let k = 0; k < ds.length; k++) {
        const d = ds[k]!;
        const f = fs[k]!;
        pd[k] = d;
        pw[k] = (f * (K1 + 1)) / (f + K1 * (1 - B + (B * lens[d]!) / avg));
        if (pw[k]! > max) max = pw[k]!;
      }
      this.maxWeight.push(max);
      this.postDocs.push(pd);
      this.postWeights.push(pw);
      const df = ds.length;
      this.idf.push(Math.log(1 + (n - df + 0.5) / (df + 0.5)));
    }
  }

  /**
   * Top `k` documents for a folded query. Document-at-a-time with MaxScore pruning: terms whose
   * combined best possible contribution cannot lift a document above the current k-th score
   * are only probed (galloping) for documents the rarer terms already found, so common bigrams
   * (合作, 对口) with long postings are mostly skipped, not scanned.
   */
  search(foldedQuery: string, k = 10): SearchResult {
    const uniq = [...new Set(queryTerms(foldedQuery))];
    const lists: { docs: Int32Array; w: Float32Array; idf: number; ub: number; pos: number }[] = [];
    for (const term of uniq) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const idf = this.idf[id]!;
      lists.push({ docs: this.postDocs[id]!, w: this.postWeights[id]!, idf, ub: idf * this.maxWeight[id]!, pos: 0 });
    }
    lists.sort((a, b) => a.ub - b.ub);
    const m = lists.length;
    // cum[i] = best possible score from lists[0..i] together.
    const cum = new Float64Array(m);
    for (let i = 0, acc = 0; i < m; i++) cum[i] = acc += lists[i]!.ub;
    const hits: SearchHit[] = [];
    let theta = 0;
    let fe = 0; // lists[fe..] are essential: a new candidate must contain one of them
    for (;;) {
      let d = 0x7fffffff;
      for (let i = fe; i < m; i++) {
        const l = lists[i]!;
        if (l.pos < l.docs.length && l.docs[l.pos]! < d) d = l.docs[l.pos]!;
      }
      if (d === 0x7fffffff) break;
      let s = 0;
      let matched = 0;
      for (let i = fe; i < m; i++) {
        const l = lists[i]!;
        if (l.pos < l.docs.length && l.docs[l.pos] === d) {
          s += l.idf * l.w[l.pos]!;
          l.pos++;
          matched++;
        }
      }
      let rejected = false;
      for (let i = fe - 1; i >= 0; i--) {
        if (s + cum[i]! <= theta) {
          rejected = true;
          break;
        }
        const l = lists[i]!;
        const p = gallop(l.docs, l.pos, d);
        l.pos = p;
        if (p < l.docs.length && l.docs[p] === d) {
          s += l.idf * l.w[p]!;
          l.pos = p + 1;
          matched++;
        }
      }
      if (rejected || s <= theta) continue;
      let at = hits.length;
      while (at > 0 && hits[at - 1]!.score < s) at--;
      hits.splice(at, 0, { doc: d, score: s, matched });
      if (hits.length > k) hits.pop();
      if (hits.length === k) {
        theta = hits[k - 1]!.score;
        while (fe < m && cum[fe]! <= theta) fe++;
      }
    }
    return { hits, queryTerms: uniq.length };
  }

  /** Distinct query terms for a folded query (for coverage checks). */
  static terms(foldedQuery: string): string[] {
    return [...new Set(queryTerms(foldedQuery))];
  }
}
