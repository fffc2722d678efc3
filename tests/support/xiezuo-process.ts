/**
 * Spawns a real `node src/bin/xiezuo.mjs <sub>` (what `npm start` / `xiezuo worker` run) with a
 * clean environment plus the given variables, keeps everything it prints, and resolves once it
 * logs `readyMsg` — with the port its HTTP server logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface XiezuoProcess {
  child: ChildProcess;
  port: number;
  exit: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then SIGKILL if it has not exited within `ms`; resolves with the exit code. */
  stop(ms?: number): Promise<number | null>;
}

export interface SpawnOptions {
  args: string[];
  env: Record<string, string>;
  readyMsg: string;
  cwd?: string;
  /** Keep stdin open (the console chat reads it). */
  stdin?: boolean;
  timeoutMs?: number;
}

/** Variables of the developer's own setup that must not leak into a test's process. */
const OWN = /^(TELEGRAM_|SLACK_|HTTP_|REDIS_|WORKER|METRICS_|ADMIN|LOG_|ALERT_)/;

export async function spawnXiezuo(o: SpawnOptions): Promise<XiezuoProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !OWN.test(k)) env[k] = v;
  Object.assign(env, { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' }, o.env);
  const child = spawn(process.execPath, ['src/bin/xiezuo.mjs', ...o.args], {
    cwd: o.cwd ?? ROOT,
    env,
    stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  let stdout = '';
  let port = 0;
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started in time:\n${stderr.slice(-3000)}`)), o.timeoutMs ?? 45_000);
    let scanned = 0;
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const end = stderr.lastIndexOf('\n');
      if (end < scanned) return;
      for (const line of stderr.slice(scanned, end).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const rec = JSON.parse(line) as { msg?: string; port?: number };
          if (rec.msg === 'http listening' && rec.port && !port) port = rec.port;
          if (rec.msg === o.readyMsg) {
            clearTimeout(timer);
            resolve();
          }
        } catch {
          /* not a log line */
        }
      }
      scanned = end + 1;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before start:\n${stderr.slice(-3000)}`));
    });
  });
  return {
    child,
    port,
    exit,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async (ms = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Poll `check` until it returns a value (not undefined), or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
