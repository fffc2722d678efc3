/**
 * Issue 11 #6: the worker process SIGKILLed at 50 of 200 sends and started again. Nothing is
 * lost, duplicates stay within the bound the README states (messages in flight at the kill), and
 * the broadcast reaches "done" within 10 s of the restarted worker being up — with the default
 * DELIVERY_LOCK_MS (before: 30 s, which took about a minute).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.ts';
import type { App } from '../../src/app.ts';
import type { Destination } from '../../src/messages.ts';
import { buildApp, waitFor } from '../delivery/harness.ts';

const BIN = fileURLToPath(new URL('../../src/bin/xiezuo.mjs', import.meta.url));
const CONCURRENCY = 8;

let redis: RedisServer;
let tg: FakeTelegram;
let app: App & { prefix: string };
const children: ChildProcess[] = [];

beforeAll(async () => {
  [redis, tg] = await Promise.all([startRedis({ appendonly: true }), startFakeTelegram({ delayMs: 20 })]);
  app = await buildApp(redis.url, {});
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await app?.close();
  await tg?.close();
  await redis?.dispose();
});

/** A `xiezuo worker` with the deployment's defaults for locks and claims; resolves once it logs that its workers run. */
async function startWorker(): Promise<ChildProcess> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: 'info',
    REDIS_URL: redis.url,
    REDIS_PREFIX: app.prefix,
    TELEGRAM_BOT_TOKEN: '123:TEST',
    TELEGRAM_API_ROOT: tg.apiRoot,
    DELIVERY_CONCURRENCY: String(CONCURRENCY),
    DELIVERY_TELEGRAM_PER_S: '0',
    DELIVERY_TELEGRAM_CHAT_LIMIT: '0',
    DELIVERY_TELEGRAM_GROUP_LIMIT: '0',
  };
  delete env.DELIVERY_LOCK_MS;
  const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`worker not ready: ${seen.slice(-2000)}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      seen = (seen + d.toString()).slice(-8000);
      if (seen.includes('"delivery workers"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.stderr!.resume();
  return child;
}

describe('a worker killed at 50 of 200 sends', () => {
  it('restart: 0 lost, duplicates ≤ in-flight bound, "done" well inside the old 30 s lock (10 s target, figure printed)', async () => {
    const tos: Destination[] = Array.from({ length: 200 }, (_, i) => ({ platform: 'telegram' as const, chatId: String(-7000 - i) }));
    await app.services.groups.create('二百');
    await app.services.groups.add('二百', tos.map((to) => ({ to })));
    const b = await app.services.broadcasts.draft({ group: '二百', text: '二百个聊天的通知', by: { platform: 'telegram', id: '1' }, chat: { platform: 'telegram', chatId: '1' }, destinations: tos });
    await app.services.broadcasts.confirm(b.id, undefined);

    const delivered = () => tg.delivered('sendMessage').filter((c) => String(c.body.text).includes(b.id)).length;
    const first = await startWorker();
    await waitFor(() => delivered() >= 50, 60_000, 2);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = delivered();

    await startWorker();
    const ready = Date.now();
    await waitFor(async () => (await app.services.broadcasts.get(b.id))?.status === 'done', 120_000, 50);
    const takeoverMs = Date.now() - ready;

    const counts = new Map<string, number>();
    for (const c of tg.delivered('sendMessage')) if (String(c.body.text).includes(b.id)) counts.set(String(c.body.chat_id), (counts.get(String(c.body.chat_id)) ?? 0) + 1);
    const lost = tos.filter((to) => !counts.get(to.chatId)).length;
    const duplicates = [...counts.values()].reduce((s, n) => s + n - 1, 0);
    process.stderr.write(`crash takeover: killed after ${atKill} of 200; done ${takeoverMs} ms after restart; lost ${lost}; duplicates ${duplicates}\n`);
    expect(lost).toBe(0);
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
    expect((await app.services.broadcasts.get(b.id))!).toMatchObject({ delivered: 200, failed: 0, total: 200, status: 'done' });
    // The figure (about 5 s here, 10 s is the target) is printed above and measured on an idle
    // machine; the assertion only guards against the old behaviour: a 30 s lock could not hand
    // the stalled jobs over in less than 30 s, however fast the machine.
    expect(takeoverMs).toBeLessThan(25_000);
  }, 240_000);
});
