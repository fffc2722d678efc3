/**
 * The console chat without Redis (issue 12, point 13): `xiezuo start` with no platform tokens and
 * a Redis that is not there prints one Chinese line saying what needs Redis — no JSON log lines
 * in the terminal — answers knowledge questions, and ends at end of input (Ctrl+D) without
 * waiting out the graceful-stop deadline that closing the queues would need.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN_DEADLINE_MS } from '../../src/cli/shutdown.ts';
import { msg } from '../../src/i18n/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('console chat without Redis', () => {
  it('says once what needs Redis, keeps the log out of the terminal, answers, and exits at once on Ctrl+D', async () => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(TELEGRAM_|SLACK_|HTTP_|REDIS_|WORKERS|LOG_LEVEL)/.test(k)) env[k] = v;
    Object.assign(env, { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    const child = spawn(process.execPath, ['src/bin/xiezuo.mjs', 'start'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
    const until = async (ok: () => boolean, what: string) => {
      for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
      if (!ok()) throw new Error(`${what} did not appear:\n${out}\n${err}`);
    };
    await until(() => out.includes(msg.platforms.consoleNoRedis), 'the no-Redis line');
    child.stdin.write('/pair 大连\n');
    await until(() => out.includes('上海市'), 'the answer');
    const endedAt = Date.now();
    child.stdin.end();
    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(out).toContain(msg.platforms.consoleBye);
    expect(out.split(msg.platforms.consoleNoRedis).length).toBe(2);
    // No JSON log records interleaved with the chat, on either stream.
    expect(`${out}\n${err}`).not.toMatch(/^\{"(level|time|msg)":/m);
    // Ctrl+D does not wait out the graceful-stop deadline (which closing queues without Redis would hit).
    expect(at - endedAt).toBeLessThan(SHUTDOWN_DEADLINE_MS);
  }, 90_000);
});
