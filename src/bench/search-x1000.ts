/**
 * The ×1000 corpus (every seed clause copied 1000 times under distinct ids, as ×100 is built),
 * in two fresh processes so each figure is its own: `build` indexes it and writes the snapshot
 * (index + clause ids, one file); `load` reads that snapshot back, answers the bench queries and
 * reports its latencies and peak RSS. The postings are read as queries need them (snapshot-file.ts),
 * so `first_pass_ms` (every query once, right after load) includes reading theirs from the file. Run by search.ts as `node <this file> build|load SNAP`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Knowledge } from '../knowledge/knowledge.ts';
import { SearchIndex } from '../knowledge/search-index.ts';
import { readSnapshot, writeSnapshot } from '../knowledge/snapshot-file.ts';
import { indexSections, restoreIndex } from '../knowledge/snapshot.ts';
import { DEFAULT_SEEDS_DIR } from '../knowledge/sources.ts';

const COPIES = 1000;
const KEY = 'bench-x1000';

async function build(file: string): Promise<Record<string, number>> {
  const k = await Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR });
  const texts = k.clauses.map((c) => k.indexText(c));
  const contexts = k.clauses.map((c) => k.contextText(c));
  const ids: string[] = [];
  const bigTexts: string[] = [];
  const bigContexts: string[] = [];
  for (let copy = 0; copy < COPIES; copy++) {
    k.clauses.forEach((c, i) => {
      ids.push(`${c.docId}-x${copy}#${c.id.slice(c.id.indexOf('#') + 1)}`);
      bigTexts.push(texts[i]!);
      bigContexts.push(contexts[i]!);
    });
  }
  const t0 = performance.now();
  const index = new SearchIndex(bigTexts, bigContexts);
  const build_ms = performance.now() - t0;
  // The ids as one UTF-8 text and where each ends: read back without a string per clause.
  const idText = Buffer.from(ids.join(''), 'utf8');
  const idEnds = new Int32Array(ids.length);
  for (let i = 0, at = 0; i < ids.length; i++) idEnds[i] = at += Buffer.byteLength(ids[i]!, 'utf8');
  const bytes = writeSnapshot(file, KEY, { idText: new Uint8Array(idText.buffer, idText.byteOffset, idText.byteLength), idEnds, ...indexSections(index) });
  return { clauses: ids.length, build_ms, snapshot_bytes: bytes, build_rss_mib: process.resourceUsage().maxRSS / 1024 };
}

async function load(file: string, queries: string[]): Promise<Record<string, number>> {
  const t0 = performance.now();
  const s = await readSnapshot(file, KEY);
  if (!s) throw new Error(`no valid snapshot at ${file}`);
  const idText = s.get('idText') as Uint8Array;
  const idEnds = s.get('idEnds') as Int32Array;
  const decoder = new TextDecoder();
  // A clause's id is decoded when a hit names it.
  const id = (d: number) => decoder.decode(idText.subarray(d ? idEnds[d - 1]! : 0, idEnds[d]!));
  const index = restoreIndex(s);
  if (!index) throw new Error(`snapshot at ${file} holds no search index`);
  const load_ms = performance.now() - t0;
  const lat: number[] = [];
  const run = (q: string) => index.search(q, 10).hits.map((h) => id(h.doc));
  // The first pass reads the postings its terms need from the file (the rest stay unread).
  const f0 = performance.now();
  for (const q of queries) run(q);
  const first_pass_ms = performance.now() - f0;
  for (let r = 0; r < 2; r++) for (const q of queries) run(q);
  for (let r = 0; r < 10; r++) {
    for (const q of queries) {
      const q0 = process.hrtime.bigint();
      run(q);
      lat.push(Number(process.hrtime.bigint() - q0) / 1000);
    }
  }
  lat.sort((a, b) => a - b);
  const at = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;
  return { load_ms, first_pass_ms, p50_us: at(50), p99_us: at(99), rss_mib: process.resourceUsage().maxRSS / 1024 };
}

/** Run one phase in a fresh process; the queries (already folded) go in on stdin. */
export function runPhase(phase: 'build' | 'load', file: string, queries: string[]): Promise<Record<string, number>> {
  const self = fileURLToPath(import.meta.url);
  const args = [...(self.endsWith('.ts') ? ['--import', 'tsx'] : []), self, phase, file];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end(JSON.stringify(queries));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`×1000 ${phase} exited ${code}`));
      resolve(JSON.parse(out) as Record<string, number>);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [phase, file] = process.argv.slice(2);
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const queries = JSON.parse(input || '[]') as string[];
  const result = phase === 'build' ? await build(file!) : await load(file!, queries);
  process.stdout.write(JSON.stringify(result));
}
