/**
 * A worker process killed with SIGKILL in the middle of a 1,000-destination broadcast, then
 * restarted: every destination receives it. Duplicates are counted; the design's bound (see
 * src/delivery/sent-markers.ts) is at most one per message in flight at the moment of the
 * crash, i.e. at most DELIVERY_CONCURRENCY per platform queue per kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import type { App } from '../../src/app.ts';
import type { Destination } from '../../src/messages.ts';
import { buildApp, waitFor } from './harness.ts';

const BIN = fileURLToPath(new URL('../../src/bin/xiezuo.mjs', import.meta.url));
const CONCURRENCY = 8;

let redis: RedisServer;
let tg: FakeTelegram;
let slack: FakeSlack;
let app: App & { prefix: string };
const children: ChildProcess[] = [];

beforeAll(async () => {
  [redis, tg, slack] = await Promise.all([startRedis({ appendonly: true }), startFakeTelegram({ delayMs: 15 }), startFakeSlack({ delayMs: 15 })]);
  // This process only enqueues and reads state; the workers run in child processes.
  app = await buildApp(redis.url, {});
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await app?.close();
  await Promise.all([tg?.close(), slack?.close()]);
  await redis?.dispose();
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    env: {
      ...process.env,
      LOG_LEVEL: 'error',
      REDIS_URL: redis.url,
      REDIS_PREFIX: app.prefix,
      TELEGRAM_BOT_TOKEN: '123:TEST',
      TELEGRAM_API_ROOT: tg.apiRoot,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: slack.apiUrl,
      DELIVERY_CONCURRENCY: String(CONCURRENCY),
      DELIVERY_LOCK_MS: '1000',
      DELIVERY_TELEGRAM_PER_S: '0',
      DELIVERY_SLACK_PER_S: '0',
      WORKERS: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  children.push(child);
  return child;
}

describe('worker crash in the middle of a broadcast', () => {
  it('SIGKILL at ~30%, restart: all 1,000 delivered, duplicates within the stated bound', async () => {
    const tos: Destination[] = [];
    for (let i = 0; i < 500; i++) tos.push({ platform: 'telegram', chatId: String(-5000 - i) });
    for (let i = 0; i < 500; i++) tos.push({ platform: 'slack', chatId: `CK${i}` });
    await app.services.groups.create('千');
    await app.services.groups.add('千', tos.map((to) => ({ to })));
    const b = await app.services.broadcasts.draft({
      group: '千',
      text: '一千个聊天的通知',
      by: { platform: 'telegram', id: '1' },
      chat: { platform: 'telegram', chatId: '1' },
      destinations: tos,
    });
    await app.services.broadcasts.confirm(b.id, undefined);

    const delivered = () => tg.delivered('sendMessage').length + slack.delivered('chat.postMessage').length;
    const first = startWorker();
    await waitFor(() => delivered() >= 300, 60_000, 5);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = delivered();
    expect(atKill).toBeLessThan(1000);

    const second = startWorker();
    await waitFor(async () => (await app.services.broadcasts.get(b.id))?.status === 'done', 60_000, 50);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    const counts = new Map<string, number>();
    for (const c of tg.delivered('sendMessage')) if (String(c.body.text).includes(b.id)) counts.set(`telegram:${c.body.chat_id}`, (counts.get(`telegram:${c.body.chat_id}`) ?? 0) + 1);
    for (const c of slack.delivered('chat.postMessage'))
      if (JSON.stringify(c.body).includes(b.id)) counts.set(`slack:${c.body.channel}`, (counts.get(`slack:${c.body.channel}`) ?? 0) + 1);
    for (const to of tos) expect(counts.get(`${to.platform}:${to.chatId}`) ?? 0, `${to.platform}:${to.chatId}`).toBeGreaterThanOrEqual(1);
    const duplicates = [...counts.values()].reduce((s, n) => s + n - 1, 0);
    // One kill, two platform queues.
    expect(duplicates).toBeLessThanOrEqual(2 * CONCURRENCY);
    const final = (await app.services.broadcasts.get(b.id))!;
    expect(final).toMatchObject({ delivered: 1000, failed: 0, total: 1000, status: 'done' });
    process.stderr.write(`crash test: killed after ${atKill} deliveries; duplicates ${duplicates} (bound ${2 * CONCURRENCY})\n`);
  }, 120_000);
});
