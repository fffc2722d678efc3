/**
 * Issue 11 #10: two worker processes on one Redis, one without the Slack token. The one without
 * never takes a Slack message (before: it took it and failed it for good with 未配置 slack 平台);
 * the Slack message waits until a process that can send it runs, then goes out once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { DeliveryOutcome, OutgoingMessage } from '../../src/delivery/outbox.ts';
import type { Senders } from '../../src/delivery/sender.ts';
import type { Destination } from '../../src/messages.ts';
import type { RunningWorkers } from '../../src/process.ts';
import { startWorkers } from '../../jobs/worker.ts';
import { FAST_ENV, RecordingSender, waitFor } from '../delivery/harness.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

let redis: RedisServer;
const prefix = `t${randomUUID().slice(0, 8)}`;
const running: Array<{ app: App; workers: RunningWorkers }> = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const r of running) {
    await r.workers.close();
    await r.app.close();
  }
  await redis?.dispose();
});

/** One "process": an app on the shared Redis and prefix, with these senders and its workers. */
async function proc(senders: Senders): Promise<App> {
  const app = await createApp(loadConfig({ ...FAST_ENV, REDIS_URL: redis.url, REDIS_PREFIX: prefix }), { senders, log: createLogger('silent') });
  running.push({ app, workers: await startWorkers(app.services) });
  return app;
}

const message = (to: Destination): OutgoingMessage => ({ id: `w10:${to.platform}:${to.chatId}`, to, reply: { blocks: [{ text: '通知' }] }, origin: { kind: 'notice', id: 'w10' } });

describe('workers consume only the platforms they can send to', () => {
  it('a Slack message waits for a process with the Slack token instead of failing in one without', async () => {
    const tgOnly = new RecordingSender('telegram');
    const a = await proc({ telegram: tgOnly });
    const outcomes: Array<{ m: OutgoingMessage; o: DeliveryOutcome }> = [];
    a.services.outbox.listen('notice', { onOutcome: async (m, o) => void outcomes.push({ m, o }) });
    await a.services.outbox.enqueue([message({ platform: 'telegram', chatId: '-1' }), message({ platform: 'slack', chatId: 'C0123ABCDE' })]);
    await waitFor(() => tgOnly.sends.length === 1);
    // Give the Telegram-only process every chance to take the Slack job.
    await new Promise((r) => setTimeout(r, 1000));
    expect(outcomes.filter((x) => x.m.to.platform === 'slack')).toEqual([]);
    const counts = await a.services.outbox.queue('slack').getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
    expect(counts.waiting! + counts.prioritized! + counts.delayed!).toBe(1);
    expect(counts.failed).toBe(0);

    const slack = new RecordingSender('slack');
    const b = await proc({ telegram: new RecordingSender('telegram'), slack });
    b.services.outbox.listen('notice', { onOutcome: async (m, o) => void outcomes.push({ m, o }) });
    await waitFor(() => slack.sends.length === 1);
    await waitFor(() => outcomes.some((x) => x.m.to.platform === 'slack'));
    expect(outcomes.filter((x) => x.m.to.platform === 'slack').map((x) => x.o.status)).toEqual(['delivered']);
    expect(tgOnly.sends).toHaveLength(1);
  });
});
