/**
 * BM25 over clauses with an inverted index, answered window by window with block-max MaxScore
 * (see `search`). Documents are cut into windows of WINDOW; every term owns a run of block
 * entries (one per window it occurs in: the window, the term's best impact there, where its
 * postings start), and every posting is two 16-bit numbers, the document's offset in its window
 * and its impact. All terms share two flat typed arrays, so the ×100 corpus's 6 million
 * postings take 24 MB in two objects rather than 49 MB in 22,000, and a probe reads one cache
 * line.
 */
import { indexTerms, queryTerms } from './tokenize.ts';

/**
 * Documents per window (a power of two, at most 2^16 so an offset fits the posting's 16 bits).
 * Smaller windows bound the terms more tightly but pay the per-window steps (one per query term)
 * more often; on the seed corpus ×100, 2048 (Lucene's BooleanScorer window too) measured fastest
 * against 32 to 8192 — about 30% ahead of 128, 10–15% ahead of 512.
 */
const WINDOW_BITS = 11;
const WINDOW = 1 << WINDOW_BITS;
const WINDOW_WORDS = WINDOW / 32;
const K1 = 1.2;
const B = 0.75;
/** Term-frequency weight of context terms (see the constructor). */
const CONTEXT_WEIGHT = 0.3;
/**
 * A posting stores its whole BM25 contribution (idf × weight) as an integer from 1 to
 * MAX_IMPACT, on a scale set per index so the largest possible contribution fills the range.
 * Integer sums are exact in any order, so documents with the same text tie exactly however the
 * search reached them, and thresholds compare without rounding slack. 16 bits resolve scores to
 * about 1/65,000 of the largest possible single-term contribution.
 */
const MAX_IMPACT = 0xffff;
/** A block entry is [window, best impact, first posting]. */
const BLOCK = 3;

interface SearchHit {
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

/**
 * First posting p in [from, end) whose window offset is ≥ target, or end (exponential then
 * binary search). `post` holds [offset, impact] pairs; p counts pairs.
 */
function gallop(post: Uint16Array, from: number, end: number, target: number): number {
  if (from >= end || post[from * 2]! >= target) return from;
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < end && post[hi * 2]! < target) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > end) hi = end;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (post[mid * 2]! < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Per query term, where the search stands; struct-of-arrays so the loops touch no objects. */
class Cursors {
  /** Next block entry not reached, and the end of the term's block entries. */
  block = new Int32Array(64);
  blockEnd = new Int32Array(64);
  /** The current window's postings are [pos, end). */
  pos = new Int32Array(64);
  end = new Int32Array(64);
  /** Best impact in the current window (0: absent), and the running sum of those over 0..i. */
  ub = new Int32Array(64);
  cum = new Float64Array(64);

  reserve(m: number): void {
    if (m <= this.block.length) return;
    const size = Math.max(m, this.block.length * 2);
    this.block = new Int32Array(size);
    this.blockEnd = new Int32Array(size);
    this.pos = new Int32Array(size);
    this.end = new Int32Array(size);
    this.ub = new Int32Array(size);
    this.cum = new Float64Array(size);
  }
}

/** The parts of a SearchIndex (see its fields), flat arrays only. */
export interface SearchIndexParts {
  size: number;
  scale: number;
  /** Term of each term id, in id order. */
  terms: string[];
  termBlocks: Int32Array;
  blocks: Int32Array;
  termMax: Int32Array;
  post: Uint16Array;
  /**
   * When `post` is read lazily (a large snapshot): makes postings [from, to) present. Called for
   * each query term's postings before they are read.
   */
  loadPostings?: (from: number, to: number) => void;
}

/**
 * BM25 impacts for every (term, document), laid out as described at the top of this file. Two
 * passes over the texts: the first assigns term ids and counts each term's documents and windows
 * (and the lengths BM25 needs), the second writes every posting straight into its place in the
 * flat arrays. Tokenising twice costs less than holding tens of millions of postings in per-term
 * JS arrays first (the ×1000 corpus: minutes of garbage collection and gigabytes of heap).
 */
function buildIndex(texts: readonly string[], contexts?: readonly string[]): SearchIndexParts {
  const n = texts.length;
  const termIds = new Map<string, number>();
  const df: number[] = [];
  const windows: number[] = [];
  const lastSeen: number[] = [];
  const lens = new Float64Array(n);
  let total = 0;
  const tf = new Map<number, number>();
  // A document's term frequencies: its own terms count 1, its context's CONTEXT_WEIGHT (always
  // summed in this order, so both passes get the very same numbers).
  const frequencies = (d: number, assign: boolean): number => {
    const terms = indexTerms(texts[d]!);
    tf.clear();
    const add = (t: string, by: number) => {
      let id = termIds.get(t);
      if (id === undefined) {
        if (!assign) throw new Error(`search index: term ${t} missing in the first pass`);
        id = df.length;
        termIds.set(t, id);
        df.push(0);
        windows.push(0);
        lastSeen.push(-1);
      }
      tf.set(id, (tf.get(id) ?? 0) + by);
    };
    for (const t of terms) add(t, 1);
    const ctx = contexts?.[d];
    if (ctx) for (const t of indexTerms(ctx)) add(t, CONTEXT_WEIGHT);
    return terms.length;
  };
  let postings = 0;
  for (let d = 0; d < n; d++) {
    const len = frequencies(d, true);
    lens[d] = len;
    total += len;
    const window = d >>> WINDOW_BITS;
    for (const id of tf.keys()) {
      df[id]!++;
      postings++;
      if (lastSeen[id] !== window) {
        windows[id]!++;
        lastSeen[id] = window;
      }
    }
  }
  const terms = df.length;
  const avg = n ? total / n || 1 : 1;
  const idf = (count: number) => Math.log(1 + (n - count + 0.5) / (count + 0.5));
  // The rarest term's idf times the weight's ceiling bounds every contribution.
  const scale = MAX_IMPACT / (idf(1) * (K1 + 1));
  const termBlocks = new Int32Array(terms + 1);
  const nextPost = new Int32Array(terms);
  const nextBlock = new Int32Array(terms);
  const termIdf = new Float64Array(terms);
  let entries = 0;
  for (let t = 0, p = 0; t < terms; t++) {
    termBlocks[t] = entries;
    nextBlock[t] = entries;
    nextPost[t] = p;
    termIdf[t] = idf(df[t]!);
    entries += windows[t]!;
    p += df[t]!;
  }
  termBlocks[terms] = entries;
  const post = new Uint16Array(postings * 2);
  const blocks = new Int32Array((entries + 1) * BLOCK);
  const termMax = new Int32Array(terms);
  lastSeen.fill(-1);
  for (let d = 0; d < n; d++) {
    frequencies(d, false);
    const window = d >>> WINDOW_BITS;
    const norm = K1 * (1 - B + (B * lens[d]!) / avg);
    for (const [id, f] of tf) {
      const weight = (f * (K1 + 1)) / (f + norm);
      // At least 1, so a matching term always counts.
      const impact = Math.max(1, Math.min(MAX_IMPACT, Math.round(termIdf[id]! * weight * scale)));
      if (impact > termMax[id]!) termMax[id] = impact;
      const p = nextPost[id]!++;
      post[p * 2] = d & (WINDOW - 1);
      post[p * 2 + 1] = impact;
      if (lastSeen[id] !== window) {
        const e = nextBlock[id]!++;
        blocks[e * BLOCK] = window;
        blocks[e * BLOCK + 1] = impact;
        blocks[e * BLOCK + 2] = p;
        lastSeen[id] = window;
      } else {
        const e = nextBlock[id]! - 1;
        if (impact > blocks[e * BLOCK + 1]!) blocks[e * BLOCK + 1] = impact;
      }
    }
  }
  blocks[entries * BLOCK + 2] = postings;
  return { size: n, scale, terms: [...termIds.keys()], termBlocks, blocks, termMax, post };
}

export class SearchIndex {
  readonly size: number;
  private readonly termIds = new Map<string, number>();
  /** Term t's block entries are blocks[termBlocks[t] .. termBlocks[t + 1]) (in entries). */
  private readonly termBlocks: Int32Array;
  /** Every term's block entries, then one sentinel whose first posting ends the last block. */
  private readonly blocks: Int32Array;
  /** Per term, its largest impact (MaxScore orders the terms by it). */
  private readonly termMax: Int32Array;
  /** Every posting as an [offset in window, impact] pair. */
  private readonly post: Uint16Array;
  /** Score = sum of impacts ÷ scale. */
  private readonly scale: number;
  private readonly loadPostings: ((from: number, to: number) => void) | undefined;
  /** With loadPostings: 1 for each term whose postings are present, so a search asks once per term. */
  private readonly termPresent: Uint8Array | undefined;
  /** Scratch reused by every search (searches never interleave). */
  private readonly cursors = new Cursors();
  private readonly acc = new Float64Array(WINDOW);
  private readonly seen = new Int32Array(WINDOW_WORDS);
  /** The window's surviving candidates, in document order: offset and partial score. */
  private readonly candDoc = new Int32Array(WINDOW);
  private readonly candScore = new Float64Array(WINDOW);

  /**
   * `texts` must already be folded (fold.ts). `contexts` (optional, folded) is text that helps a
   * clause be found but is not its own — e.g. its parent's heading: its terms count at
   * CONTEXT_WEIGHT and do not add to the clause's length, so a parent still outranks its
   * children on the parent's own words. Given the parts of an index instead (`parts()`, e.g.
   * read back from a snapshot), it answers exactly as the index they came from.
   */
  constructor(texts: readonly string[] | SearchIndexParts, contexts?: readonly string[]) {
    const p = Array.isArray(texts) ? buildIndex(texts, contexts) : (texts as SearchIndexParts);
    this.size = p.size;
    this.scale = p.scale;
    this.termBlocks = p.termBlocks;
    this.blocks = p.blocks;
    this.termMax = p.termMax;
    this.post = p.post;
    this.loadPostings = p.loadPostings;
    this.termPresent = p.loadPostings ? new Uint8Array(p.terms.length) : undefined;
    const terms = p.terms;
    for (let t = 0; t < terms.length; t++) this.termIds.set(terms[t]!, t);
  }

  /** Everything the index is made of, as flat arrays (what a snapshot stores). */
  parts(): SearchIndexParts {
    this.loadPostings?.(0, this.post.length / 2);
    const terms = new Array<string>(this.termIds.size);
    for (const [term, id] of this.termIds) terms[id] = term;
    return { size: this.size, scale: this.scale, terms, termBlocks: this.termBlocks, blocks: this.blocks, termMax: this.termMax, post: this.post };
  }

  /**
   * Top `k` documents for a folded query, exact; ties keep the earlier document. Windows are
   * visited in document order. In each, every query term is bounded by its best impact there
   * (block-max), and a window whose bounds together cannot beat the current k-th score is
   * skipped unread. Otherwise the terms split as in MaxScore: the essential ones — a document
   * must hold one of them to beat the k-th score — are added term by term into the window's
   * accumulator (one add per posting, no k-way merge); the candidates are then read in
   * document order, those whose partial score plus the other terms' bounds cannot enter the
   * top k are dropped at once, and the rest are probed in the postings of the common terms
   * (合作, 对口 …), which are long and mostly skipped — one term at a time over the whole
   * candidate list, so each term's postings are walked once, forward (on ×1000 about 5% faster
   * than probing every term for one candidate before the next).
   */
  search(foldedQuery: string, k = 10): SearchResult {
    const uniq = [...new Set(queryTerms(foldedQuery))];
    const ids: number[] = [];
    for (const term of uniq) {
      const id = this.termIds.get(term);
      if (id !== undefined) ids.push(id);
    }
    const { termBlocks, termMax, blocks, post, acc, seen, candDoc, candScore } = this;
    const present = this.termPresent;
    if (present) {
      for (const id of ids) {
        if (present[id]) continue;
        this.loadPostings!(blocks[termBlocks[id]! * BLOCK + 2]!, blocks[termBlocks[id + 1]! * BLOCK + 2]!);
        present[id] = 1;
      }
    }
    // Weakest terms first, so the essential ones form a short suffix.
    ids.sort((a, b) => termMax[a]! - termMax[b]!);
    const m = ids.length;
    const c = this.cursors;
    c.reserve(m);
    const { block, blockEnd, pos, end, ub, cum } = c;
    let next = 0x7fffffff; // the next window any term occurs in
    for (let i = 0; i < m; i++) {
      block[i] = termBlocks[ids[i]!]! * BLOCK;
      blockEnd[i] = termBlocks[ids[i]! + 1]! * BLOCK;
      next = Math.min(next, blocks[block[i]!]!);
    }
    const top: { doc: number; score: number }[] = [];
    let theta = 0;
    while (next !== 0x7fffffff) {
      const window = next;
      next = 0x7fffffff;
      let total = 0;
      for (let i = 0; i < m; i++) {
        let b = block[i]!;
        const bEnd = blockEnd[i]!;
        let u = 0;
        if (b < bEnd && blocks[b] === window) {
          u = blocks[b + 1]!;
          pos[i] = blocks[b + 2]!;
          block[i] = b += BLOCK;
          end[i] = blocks[b + 2]!;
        }
        ub[i] = u;
        if (b < bEnd && blocks[b]! < next) next = blocks[b]!;
        cum[i] = total += u;
      }
      if (total <= theta) continue;
      let fe = 0; // terms fe.. are essential in this window
      while (cum[fe]! <= theta) fe++;
      for (let i = fe; i < m; i++) {
        if (ub[i] === 0) continue;
        for (let q = pos[i]! * 2, qEnd = end[i]! * 2; q < qEnd; q += 2) {
          const j = post[q]!;
          seen[j >>> 5] = seen[j >>> 5]! | (1 << (j & 31));
          acc[j] = acc[j]! + post[q + 1]!;
        }
      }
      const rest = fe > 0 ? cum[fe - 1]! : 0;
      let nc = 0;
      for (let word = 0; word < WINDOW_WORDS; word++) {
        let set = seen[word]!;
        seen[word] = 0;
        while (set !== 0) {
          const j = (word << 5) | (31 - Math.clz32(set & -set));
          set &= set - 1;
          const s = acc[j]!;
          acc[j] = 0;
          if (s + rest <= theta) continue;
          candDoc[nc] = j;
          candScore[nc++] = s;
        }
      }
      // The other terms one at a time, weakest last: each walks its postings once, in document
      // order, beside the surviving candidates; a candidate that can no longer beat theta even
      // with every weaker term's bound leaves the list.
      for (let i = fe - 1; i >= 0 && nc > 0; i--) {
        const below = i > 0 ? cum[i - 1]! : 0;
        let kept = 0;
        if (ub[i] === 0) {
          for (let c = 0; c < nc; c++) {
            const s = candScore[c]!;
            if (s + below > theta) { candDoc[kept] = candDoc[c]!; candScore[kept++] = s; }
          }
        } else {
          let p = pos[i]!;
          const e = end[i]!;
          for (let c = 0; c < nc; c++) {
            const j = candDoc[c]!;
            let s = candScore[c]!;
            p = gallop(post, p, e, j);
            if (p < e && post[p * 2] === j) {
              s += post[p * 2 + 1]!;
              p++;
            }
            if (s + below > theta) { candDoc[kept] = j; candScore[kept++] = s; }
          }
        }
        nc = kept;
      }
      const base = window << WINDOW_BITS;
      for (let c = 0; c < nc; c++) {
        const s = candScore[c]!;
        if (s <= theta) continue;
        let at = top.length;
        while (at > 0 && top[at - 1]!.score < s) at--;
        top.splice(at, 0, { doc: base + candDoc[c]!, score: s });
        if (top.length > k) top.pop();
        if (top.length === k) theta = top[k - 1]!.score;
      }
    }
    const hits = top.map(({ doc, score }) => ({
      doc,
      score: score / this.scale,
      matched: ids.reduce((n, id) => n + (this.contains(id, doc) ? 1 : 0), 0),
    }));
    return { hits, queryTerms: uniq.length };
  }

  /** Whether term `id` occurs in `doc`. */
  private contains(id: number, doc: number): boolean {
    const { blocks, post } = this;
    const window = doc >>> WINDOW_BITS;
    let lo = this.termBlocks[id]!;
    let hi = this.termBlocks[id + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const w = blocks[mid * BLOCK]!;
      if (w < window) lo = mid + 1;
      else if (w > window) hi = mid - 1;
      else {
        const end = blocks[(mid + 1) * BLOCK + 2]!;
        const off = doc & (WINDOW - 1);
        const p = gallop(post, blocks[mid * BLOCK + 2]!, end, off);
        return p < end && post[p * 2] === off;
      }
    }
    return false;
  }

  /** Distinct query terms for a folded query (for coverage checks). */
  static terms(foldedQuery: string): string[] {
    return [...new Set(queryTerms(foldedQuery))];
  }
}
