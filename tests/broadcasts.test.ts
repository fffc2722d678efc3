/**
 * Broadcasts service against a private redis-server: a cancelled scheduled broadcast whose
 * delivery jobs escaped removal sends nothing, and a broadcast a crash left half-enqueued is
 * completed by the reconcile that runs when workers start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import type { Broadcast } from '../src/broadcasts/broadcasts.ts';
import { jobIdFor } from '../src/delivery/bull-outbox.ts';
import type { OutgoingMessage } from '../src/delivery/outbox.ts';
import { type Destination, destinationKey } from '../src/messages.ts';
import { DELIVERY_PLATFORMS } from '../jobs/queues.ts';
import type { RunningWorkers } from '../src/process.ts';
import { startRedis, type RedisServer } from './support/redis-server.ts';
import { RecordingSender, buildApp, waitFor, withWorkers } from './delivery/harness.ts';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

const BY = { platform: 'telegram' as const, id: '2', name: '协调员' };
const CHAT: Destination = { platform: 'telegram', chatId: '-5002' };

function dests(n: number, base: string): Destination[] {
  return Array.from({ length: n }, (_, i) => (i % 2 ? { platform: 'slack', chatId: `C${base}${i}` } : { platform: 'telegram', chatId: `-${base}${i}` }));
}

/** Sends to the broadcast's destinations (the coordinator's chat also gets the final report). */
function deliveries(s: { tg: RecordingSender; sl: RecordingSender }) {
  return [...s.tg.sends, ...s.sl.sends].filter((x) => x.key !== destinationKey(CHAT));
}

async function drained(app: App): Promise<boolean> {
  for (const p of DELIVERY_PLATFORMS) {
    const c = await app.services.outbox.queue(p).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    if (Object.values(c).some((n) => n > 0)) return false;
  }
  return true;
}

async function setup() {
  const tg = new RecordingSender('telegram');
  const sl = new RecordingSender('slack');
  const app = await buildApp(redis.url, { telegram: tg, slack: sl });
  let workers: RunningWorkers | undefined;
  return {
    tg,
    sl,
    app,
    start: async () => {
      workers = await withWorkers(app);
    },
    close: async () => {
      await workers?.close();
      await app.close();
    },
  };
}

function messagesOf(app: App, b: Broadcast): OutgoingMessage[] {
  const reply = app.services.broadcasts.messageFor(b);
  return b.destinations.map((to) => ({ id: `${b.id}:${destinationKey(to)}`, to, reply, origin: { kind: 'broadcast', id: b.id } }));
}

describe('Broadcasts.cancel', () => {
  it('a delivery job that outlived the cancel (held by a worker at that moment) completes unsent', async () => {
    const s = await setup();
    try {
      const bc = s.app.services.broadcasts;
      const b = await bc.draft({ group: 'g', text: '定时通知', by: BY, chat: CHAT, destinations: dests(6, '61'), at: Date.now() + 3600_000 });
      expect(await bc.confirm(b.id, undefined)).toBe(true);
      expect((await bc.get(b.id))?.status).toBe('scheduled');
      expect(await bc.cancel(b.id)).toBe(true);
      // Cancel removes the jobs it can; one a worker holds stays. Put them back as such jobs
      // would be, due now, and let the workers run them.
      await s.app.services.outbox.enqueue(messagesOf(s.app, b));
      await s.start();
      await waitFor(() => drained(s.app));
      expect(deliveries(s)).toHaveLength(0);
      const after = (await bc.get(b.id))!;
      expect(after.status).toBe('cancelled');
      expect([after.delivered, after.failed]).toEqual([0, 0]);
    } finally {
      await s.close();
    }
  });
});

describe('Broadcasts.reconcile at worker start', () => {
  it('re-enqueues what a crash between confirm and enqueue lost; every destination gets it once', async () => {
    const s = await setup();
    try {
      const bc = s.app.services.broadcasts;
      const to = dests(20, '62');
      const b = await bc.draft({ group: 'g', text: '重要通知', by: BY, chat: CHAT, destinations: to });
      // Confirmed with no worker running, then half the jobs lost, as if the process died after
      // the status change and partway through enqueueing.
      expect(await bc.confirm(b.id, undefined)).toBe(true);
      expect((await bc.get(b.id))?.status).toBe('sending');
      for (const d of to.slice(10)) await s.app.services.outbox.queue(d.platform).remove(jobIdFor(`${b.id}:${destinationKey(d)}`));

      await s.start();
      await waitFor(async () => (await bc.get(b.id))?.status === 'done');
      const counts = new Map<string, number>();
      for (const x of deliveries(s)) counts.set(x.key, (counts.get(x.key) ?? 0) + 1);
      expect([...counts.keys()].sort()).toEqual(to.map(destinationKey).sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect((await bc.get(b.id))?.delivered).toBe(20);
      // Once done there is nothing left to reconcile, and nothing is sent again.
      expect(await bc.reconcile()).toBe(0);
      await waitFor(() => drained(s.app));
      expect(deliveries(s)).toHaveLength(20);
    } finally {
      await s.close();
    }
  });

  it('a scheduled broadcast whose jobs were never enqueued is enqueued again for its time', async () => {
    const s = await setup();
    try {
      const bc = s.app.services.broadcasts;
      const to = dests(4, '63');
      const b = await bc.draft({ group: 'g', text: '稍后发送', by: BY, chat: CHAT, destinations: to, at: Date.now() + 600 });
      expect(await bc.confirm(b.id, undefined)).toBe(true);
      for (const d of to) await s.app.services.outbox.queue(d.platform).remove(jobIdFor(`${b.id}:${destinationKey(d)}`));
      await s.start();
      await waitFor(async () => (await bc.get(b.id))?.status === 'done');
      expect(deliveries(s)).toHaveLength(4);
    } finally {
      await s.close();
    }
  });
});
