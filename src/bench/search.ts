/**
 * Search bench: index build time, start-up to first answer (a real `xiezuo ask` process), and
 * query latency p50/p99 on the seed corpus and on a ×100 corpus (100 copies of every clause with
 * distinct ids), beside a naive substring scan answering the same queries over the same clauses
 * in the same run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SEEDS_DIR } from '../knowledge/sources.ts';
import { PROJECT_ROOT } from '../root.ts';
import { Knowledge } from '../knowledge/knowledge.ts';
import { SearchIndex } from '../knowledge/search-index.ts';
import { queryTerms } from '../knowledge/tokenize.ts';
import { runPhase } from './search-x1000.ts';

const ROOT = PROJECT_ROOT;
const EVAL = join(PROJECT_ROOT, '..', 'shared', 'eval', 'questions.dev.yaml');

/** Extra queries beside the eval set: short, long, Traditional, and ones that match nothing. */
const EXTRA_QUERIES = [
  '對口支援', '联席会议', '白玉兰', '干部挂职交流', '产业园区共建', '遼寧與江蘇對口合作的主要目標',
  '专项资金', '世博会', '长江黄金水道', '乡村振兴', '消费帮扶', '量子计算', '今天天气怎么样', '2025',
  '上海与大连两地产业联动、园区共建、科技创新合作、制度创新协同以及干部人才交流',
];

async function loadQuestions(): Promise<string[]> {
  const qs: string[] = [];
  if (existsSync(EVAL)) {
    try {
      const { parse } = await import('yaml');
      for (const item of parse(readFileSync(EVAL, 'utf8')) as { q?: string }[]) if (item.q) qs.push(item.q);
    } catch {
      // yaml is a dev dependency; without it the bench still runs on the extra queries
    }
  }
  return [...qs, ...EXTRA_QUERIES];
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function round(x: number, d = 1): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}

/** Time every query `rounds` times; returns sorted per-query latencies in µs. */
function timeQueries(queries: string[], rounds: number, run: (q: string) => unknown): number[] {
  const out: number[] = [];
  // Untimed warm-up so the JIT has compiled the path before it is measured.
  for (let r = 0; r < 3; r++) for (const q of queries) run(q);
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const t0 = process.hrtime.bigint();
      run(q);
      out.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  return out.sort((a, b) => a - b);
}

/** The baseline: score every clause by how many query terms it contains as substrings. */
function naiveSearch(texts: readonly string[], foldedQuery: string, k = 10): number[] {
  const terms = [...new Set(queryTerms(foldedQuery))];
  const top: { d: number; s: number }[] = [];
  for (let d = 0; d < texts.length; d++) {
    const t = texts[d]!;
    let s = 0;
    for (const term of terms) if (t.includes(term)) s++;
    if (s > 0 && (top.length < k || s > top[top.length - 1]!.s)) {
      top.push({ d, s });
      top.sort((a, b) => b.s - a.s);
      if (top.length > k) top.pop();
    }
  }
  return top.map((x) => x.d);
}

function timeStartup(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['src/bin/xiezuo.mjs', 'ask', '大连的对口合作城市是哪个'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - t0));
  });
}

export async function benchSearch(): Promise<Record<string, unknown>> {
  const loadStart = performance.now();
  const k = await Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR });
  const load_ms = performance.now() - loadStart;
  const seedTexts = k.clauses.map((c) => k.indexText(c));
  const seedContexts = k.clauses.map((c) => k.contextText(c));
  const buildStart = performance.now();
  new SearchIndex(seedTexts, seedContexts);
  const build_ms = performance.now() - buildStart;

  const queries = (await loadQuestions()).map((q) => Knowledge.prepareQuery(q));
  const seedLat = timeQueries(queries, 200, (q) => k.index.search(q, 10));
  // The whole answering path (routing, gazetteer, pairings/deadlines, reply) on the raw questions.
  const raw = await loadQuestions();
  const answerLat = timeQueries(raw, 20, (q) => k.answer(q));

  // ×100: every clause copied 100 times under distinct ids.
  const ids: string[] = [];
  const bigTexts: string[] = [];
  const bigContexts: string[] = [];
  for (let copy = 0; copy < 100; copy++) {
    k.clauses.forEach((c, i) => {
      ids.push(`${c.docId}-x${copy}#${c.id.slice(c.id.indexOf('#') + 1)}`);
      bigTexts.push(seedTexts[i]!);
      bigContexts.push(seedContexts[i]!);
    });
  }
  const bigStart = performance.now();
  const big = new SearchIndex(bigTexts, bigContexts);
  const x100_build_ms = performance.now() - bigStart;
  const bigLat = timeQueries(queries, 30, (q) => big.search(q, 10).hits.map((h) => ids[h.doc]));
  const naiveLat = timeQueries(queries, 2, (q) => naiveSearch(bigTexts, q, 10).map((d) => ids[d]));

  // ×1000: built, saved and loaded in fresh processes (search-x1000.ts), so its memory is its own.
  const x1000Dir = mkdtempSync(join(tmpdir(), 'xiezuo-x1000-'));
  let x1000: Record<string, number>;
  try {
    const snap = join(x1000Dir, 'x1000.snap');
    const built = await runPhase('build', snap, queries);
    const loaded = await runPhase('load', snap, queries);
    x1000 = { ...built, ...loaded };
  } finally {
    rmSync(x1000Dir, { recursive: true, force: true });
  }

  const startups: number[] = [];
  for (let i = 0; i < 3; i++) startups.push(await timeStartup());
  startups.sort((a, b) => a - b);

  const p99 = percentile(bigLat, 99);
  const naiveP99 = percentile(naiveLat, 99);
  return {
    build_ms: round(build_ms, 2),
    load_ms: round(load_ms),
    startup_ms: round(startups[1]!),
    queries: queries.length,
    seed: {
      clauses: seedTexts.length,
      p50_us: round(percentile(seedLat, 50)),
      p99_us: round(percentile(seedLat, 99)),
      answer_p50_us: round(percentile(answerLat, 50)),
      answer_p99_us: round(percentile(answerLat, 99)),
    },
    x100: {
      clauses: bigTexts.length,
      build_ms: round(x100_build_ms),
      p50_us: round(percentile(bigLat, 50)),
      p99_us: round(p99),
      naive_p50_us: round(percentile(naiveLat, 50)),
      naive_p99_us: round(naiveP99),
      speedup: round(naiveP99 / (p99 || 1)),
    },
    x1000: {
      clauses: x1000.clauses,
      build_ms: round(x1000.build_ms!),
      snapshot_bytes: x1000.snapshot_bytes,
      load_ms: round(x1000.load_ms!),
      first_pass_ms: round(x1000.first_pass_ms!),
      p50_us: round(x1000.p50_us!),
      p99_us: round(x1000.p99_us!),
      rss_mib: round(x1000.rss_mib!),
      build_rss_mib: round(x1000.build_rss_mib!),
    },
  };
}
