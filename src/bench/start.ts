/**
 * Start-up bench: real processes of the compiled build, as `npm start` and `xiezuo` run them.
 * `ask_cold_*`: a fresh `xiezuo ask --json "…"` from spawn to its answer on stdout (median of 5,
 * after one untimed run that makes sure the build and the knowledge snapshot exist), its CPU time
 * and peak RSS as the process itself reports them at exit. `bot_ready_ms`: `xiezuo start` (the
 * console chat, workers on, a private redis-server) from spawn to the answer of a question
 * written to its stdin at spawn — the router's real answer on stdout, not a ready line. The chat
 * answers what is waiting before HTTP, the alert API, /metrics, the dashboard and the workers
 * are loaded and started (cli/start.ts); they still all start, right after it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../root.ts';
import { startRedis } from '../store/redis-server.ts';

const BIN = join(PROJECT_ROOT, 'src', 'bin', 'xiezuo.mjs');
const QUESTION = '大连的对口合作城市是哪个';
/** What the answer to QUESTION begins with (the console chat's welcome line does not contain it). */
const ANSWER_MARK = '大连市的结对';
const RUNS = 5;

/** Preloaded into the timed process: reports its own CPU time and peak RSS at exit. */
const PROBE = `process.on('exit', () => {
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.XIEZUO_BENCH_PROBE_OUT, JSON.stringify({ cpu_ms: (u.userCPUTime + u.systemCPUTime) / 1000, peak_kib: u.maxRSS }));
});
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

function env(extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(TELEGRAM_|SLACK_|HTTP_|REDIS_|NODE_OPTIONS$)/.test(k)) out[k] = v;
  return Object.assign(out, extra);
}

/** Spawn; resolve with ms from spawn until stdout contains `mark` (then the process is left to finish or killed). */
function timeUntil(args: string[], vars: Record<string, string>, mark: string, stdin?: string, kill = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: env(vars), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let at: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (at === undefined && out.includes(mark)) {
        at = performance.now() - t0;
        if (kill) child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    if (stdin !== undefined) child.stdin.write(stdin);
    else child.stdin.end();
    child.on('error', reject);
    child.on('exit', () => (at === undefined ? reject(new Error(`no answer from xiezuo ${args[0]}:\n${err.slice(-2000)}`)) : resolve(at)));
  });
}

export async function benchStart(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-bench-start-'));
  const probe = join(dir, 'probe.cjs');
  const probeOut = join(dir, 'probe.json');
  writeFileSync(probe, PROBE);
  try {
    // Untimed: compiles the build if the sources changed and writes the snapshot if missing.
    await timeUntil(['ask', '--json', QUESTION], {}, ANSWER_MARK);
    const wall: number[] = [];
    const cpu: number[] = [];
    const peak: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      wall.push(await timeUntil(['ask', '--json', QUESTION], { NODE_OPTIONS: `--require ${probe}`, XIEZUO_BENCH_PROBE_OUT: probeOut }, ANSWER_MARK));
      const r = JSON.parse(readFileSync(probeOut, 'utf8')) as { cpu_ms: number; peak_kib: number };
      cpu.push(r.cpu_ms);
      peak.push(r.peak_kib / 1024);
    }
    const redis = await startRedis();
    const ready: number[] = [];
    try {
      const vars = { REDIS_URL: redis.url, REDIS_PREFIX: 'bench-start', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
      for (let i = 0; i < RUNS; i++) ready.push(await timeUntil(['start'], vars, ANSWER_MARK, `${QUESTION}\n`, true));
    } finally {
      await redis.dispose();
    }
    return {
      ask_cold_ms: round(median(wall)),
      ask_cold_cpu_ms: round(median(cpu)),
      ask_peak_mib: round(median(peak)),
      bot_ready_ms: round(median(ready)),
      runs: RUNS,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
