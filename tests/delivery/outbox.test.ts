/**
 * The delivery pipeline against a real redis-server with recording senders: exactly-once per
 * message id (also across re-enqueue after the job is gone), permanent failures, retries with
 * backoff, the platform's retry-after, per-chat windows, and alerts overtaking a backlog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendError } from '../../src/errors.ts';
import type { DeliveryOutcome, OutgoingMessage } from '../../src/delivery/outbox.ts';
import type { Destination } from '../../src/messages.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { RecordingSender, buildApp, maxInWindow, startWithWorkers, waitFor } from './harness.ts';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

function messages(prefix: string, tos: Destination[], kind: OutgoingMessage['origin']['kind'] = 'notice'): OutgoingMessage[] {
  return tos.map((to, i) => ({
    id: `${prefix}:${to.platform}:${to.chatId}`,
    to,
    reply: { blocks: [{ text: `消息 ${i}` }] },
    origin: { kind, id: prefix },
  }));
}

async function setup(env: Record<string, string> = {}) {
  const tg = new RecordingSender('telegram');
  const sl = new RecordingSender('slack');
  const app = await buildApp(redis.url, { telegram: tg, slack: sl }, env);
  const outcomes = new Map<string, DeliveryOutcome[]>();
  app.services.outbox.listen('notice', {
    onOutcome: async (m, o) => {
      outcomes.set(m.id, [...(outcomes.get(m.id) ?? []), o]);
    },
  });
  const { close } = await startWithWorkers(app);
  return { tg, sl, app, outcomes, close };
}

describe('BullOutbox + delivery workers', () => {
  it('sends every message once, and a re-enqueue of a finished id sends nothing', async () => {
    const s = await setup();
    try {
      const tos: Destination[] = [];
      for (let i = 0; i < 20; i++) tos.push({ platform: 'telegram', chatId: `-100${i}` });
      for (let i = 0; i < 20; i++) tos.push({ platform: 'slack', chatId: `C${i}` });
      const ms = messages('n1', tos);
      await s.app.services.outbox.enqueue(ms);
      await waitFor(() => s.outcomes.size === 40);
      expect(s.tg.sends).toHaveLength(20);
      expect(s.sl.sends).toHaveLength(20);
      expect([...s.outcomes.values()].every((o) => o[0]!.status === 'delivered')).toBe(true);
      // Completed jobs are removed (removeOnComplete), so the same job id can run again: the
      // sent-marker must stop it.
      await s.app.services.outbox.queue('telegram').clean(0, 1000, 'completed');
      await s.app.services.outbox.queue('slack').clean(0, 1000, 'completed');
      await s.app.services.outbox.enqueue(ms);
      await waitFor(() => [...s.outcomes.values()].every((o) => o.length === 2));
      expect(s.tg.sends).toHaveLength(20);
      expect(s.sl.sends).toHaveLength(20);
    } finally {
      await s.close();
    }
  });

  it('records a permanent failure with its reason and never retries it', async () => {
    const s = await setup();
    try {
      s.tg.fault = (to) =>
        to.chatId === '-403' ? new SendError('Forbidden: bot was kicked from the group chat', { permanent: true, platformCode: 403, failure: 'kicked' }) : undefined;
      await s.app.services.outbox.enqueue(messages('n2', [{ platform: 'telegram', chatId: '-403' }, { platform: 'telegram', chatId: '-200' }]));
      await waitFor(() => s.outcomes.size === 2);
      const failed = s.outcomes.get('n2:telegram:-403')![0]!;
      expect(failed).toMatchObject({ status: 'failed' });
      // The report speaks Chinese; Telegram's English stays in the log.
      expect(failed.status === 'failed' && failed.reason).toBe('机器人已被移出该群');
      expect(s.tg.attempts.get('telegram:-403')).toBe(1);
      expect(s.tg.sends.map((x) => x.key)).toEqual(['telegram:-200']);
    } finally {
      await s.close();
    }
  });

  it('retries 5xx and network errors with backoff, and gives up after the configured attempts', async () => {
    const s = await setup({ DELIVERY_ATTEMPTS: '3', DELIVERY_BACKOFF_MS: '30' });
    try {
      s.sl.fault = (to, n) => {
        if (to.chatId === 'CFLAKY' && n <= 2) return new SendError('Internal Server Error', { platformCode: 500, retryAfterMs: 10 });
        if (to.chatId === 'CDOWN') return new Error('ECONNRESET');
        return undefined;
      };
      await s.app.services.outbox.enqueue(messages('n3', [{ platform: 'slack', chatId: 'CFLAKY' }, { platform: 'slack', chatId: 'CDOWN' }]));
      await waitFor(() => s.outcomes.size === 2);
      expect(s.outcomes.get('n3:slack:CFLAKY')![0]!.status).toBe('delivered');
      expect(s.sl.attempts.get('slack:CFLAKY')).toBe(3);
      const down = s.outcomes.get('n3:slack:CDOWN')!;
      expect(down).toHaveLength(1);
      expect(down[0]).toMatchObject({ status: 'failed', reason: '发送失败（详细原因已记入日志）' });
      expect(s.sl.attempts.get('slack:CDOWN')).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('waits the time a 429 names before sending to that chat again', async () => {
    const s = await setup();
    try {
      let failedAt = 0;
      s.tg.fault = (to, n) => {
        if (to.chatId === '-429' && n === 1) {
          failedAt = Date.now();
          return new SendError('Too Many Requests: retry after 1', { platformCode: 429, retryAfterMs: 400 });
        }
        return undefined;
      };
      await s.app.services.outbox.enqueue(messages('n4', [{ platform: 'telegram', chatId: '-429' }]));
      await waitFor(() => s.outcomes.size === 1);
      expect(s.tg.sends).toHaveLength(1);
      expect(s.tg.sends[0]!.at - failedAt).toBeGreaterThanOrEqual(400);
    } finally {
      await s.close();
    }
  });

  it('keeps each chat within its window: Telegram groups and Slack channels', async () => {
    const s = await setup({
      DELIVERY_TELEGRAM_CHAT_LIMIT: '5',
      DELIVERY_TELEGRAM_CHAT_WINDOW_MS: '100',
      DELIVERY_TELEGRAM_GROUP_LIMIT: '3',
      DELIVERY_TELEGRAM_GROUP_WINDOW_MS: '600',
      DELIVERY_SLACK_CHANNEL_LIMIT: '2',
      DELIVERY_SLACK_CHANNEL_WINDOW_MS: '300',
    });
    try {
      const ms: OutgoingMessage[] = [];
      for (let i = 0; i < 8; i++) {
        ms.push({ id: `w:${i}:g`, to: { platform: 'telegram', chatId: '-1001' }, reply: { blocks: [{ text: `${i}` }] }, origin: { kind: 'notice', id: 'w' } });
        ms.push({ id: `w:${i}:c`, to: { platform: 'slack', chatId: 'CWIN' }, reply: { blocks: [{ text: `${i}` }] }, origin: { kind: 'notice', id: 'w' } });
      }
      await s.app.services.outbox.enqueue(ms);
      await waitFor(() => s.outcomes.size === 16, 20_000);
      expect(s.tg.sends).toHaveLength(8);
      expect(s.sl.sends).toHaveLength(8);
      expect(maxInWindow(s.tg.sends.map((x) => x.at), 600)).toBeLessThanOrEqual(3);
      expect(maxInWindow(s.sl.sends.map((x) => x.at), 300)).toBeLessThanOrEqual(2);
      // The limit is a window, not a stall: all eight went within a few windows.
      expect(maxInWindow(s.tg.sends.map((x) => x.at), 600)).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('lets alerts overtake a queued backlog of normal messages', async () => {
    const s = await setup({ DELIVERY_CONCURRENCY: '1' });
    try {
      s.tg.delayMs = 5;
      const backlog: Destination[] = [];
      for (let i = 0; i < 150; i++) backlog.push({ platform: 'telegram', chatId: `-7${i}` });
      await s.app.services.outbox.enqueue(messages('bl', backlog));
      await waitFor(() => s.tg.sends.length >= 3);
      await s.app.services.outbox.enqueue(messages('al', [{ platform: 'telegram', chatId: '-999' }]), { priority: 'alert' });
      await waitFor(() => s.tg.sends.some((x) => x.key === 'telegram:-999'));
      const at = s.tg.sends.findIndex((x) => x.key === 'telegram:-999');
      expect(at).toBeLessThan(20);
    } finally {
      await s.close();
    }
  });
});
