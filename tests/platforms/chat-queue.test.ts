/**
 * The per-chat queue that keeps one chat's updates in order across bot processes
 * (src/platforms/chat-queue.ts), on a private redis-server: each "process" is a ChatQueue with a
 * connection of its own.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { ChatQueue } from '../../src/platforms/chat-queue.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { sleep } from '../support/sleep.ts';
import { eventually } from '../support/xiezuo-process.ts';

let server: RedisServer;
const connections: Redis[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await server.dispose();
});

/**
 * A lease no pause of this process on a loaded machine outlasts: it is renewed every third of
 * it, and a lease that ran out under a drainer still at work would let a sweep start a second
 * drain of the chat (an overlap, an update handled twice). Only the test that waits for a dead
 * process's lease to run out shortens it.
 */
const TIMING = { leaseMs: 3000, sweepMs: 100 };

function queue(prefix: string, handle: (payload: string) => Promise<void>, timing = TIMING) {
  const redis = new Redis(server.url);
  connections.push(redis);
  const q = new ChatQueue({ redis, prefix, source: 'telegram:1', log: createLogger('silent'), handle, ...timing });
  q.start();
  return { q, redis };
}

describe('ChatQueue', () => {
  it('hands a chat’s updates over one at a time in the order accepted, whichever process accepted them; a replay is refused', async () => {
    const handled: string[] = [];
    let busy = 0;
    let overlapped = false;
    const handle = async (p: string) => {
      busy++;
      if (busy > 1) overlapped = true;
      await sleep(Math.random() * 5);
      handled.push(p);
      busy--;
    };
    const a = queue('order', handle);
    const b = queue('order', handle);
    const accepted: boolean[] = [];
    for (let i = 0; i < 30; i++) {
      const [first, second] = i % 2 ? [a, b] : [b, a];
      accepted.push(await first.q.accept('42', `u${i}`, `m${i}`));
      // The same update again, to the other process: refused.
      if (i % 5 === 0) expect(await second.q.accept('42', `u${i}`, `m${i}`)).toBe(false);
    }
    await eventually(async () => (handled.length >= 30 ? true : undefined), 10_000, '30 handled');
    await sleep(100);
    expect(accepted.every(Boolean)).toBe(true);
    expect(handled).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    expect(overlapped).toBe(false);
    await Promise.all([a.q.stop(), b.q.stop()]);
  });

  it('a process that dies mid-chat loses the lease; another goes on from the update it was handling, in order', async () => {
    // B goes on once A's lease has run out, so the test lasts about one lease: a shorter one
    // than TIMING's. It need only outlast a pause before A is cut off (a fraction of a second)
    // or while B hands m2–m5 over: there, A's own sweep or B's would start a second drain.
    const timing = { leaseMs: 1500, sweepMs: 100 };
    const byA: string[] = [];
    const byB: string[] = [];
    // A hangs on m2 and then loses Redis: as good as dead.
    const a = queue(
      'takeover',
      async (p) => {
        byA.push(p);
        if (p === 'm2') await new Promise(() => {});
      },
      timing,
    );
    for (let i = 0; i < 6; i++) await a.q.accept('7', `u${i}`, `m${i}`);
    await eventually(async () => (byA.includes('m2') ? true : undefined), 5_000, 'A at m2');
    a.redis.disconnect();
    const b = queue(
      'takeover',
      async (p) => {
        byB.push(p);
      },
      timing,
    );
    await eventually(async () => (byB.length >= 4 ? true : undefined), 10_000, 'B took over');
    expect(byA).toEqual(['m0', 'm1', 'm2']);
    // At least once: the update A was handling when it died is handled again, first.
    expect(byB).toEqual(['m2', 'm3', 'm4', 'm5']);
    await b.q.stop();
  });

  it('a process shutting down finishes the update in hand and hands the chat on at once, without waiting for its lease to run out', async () => {
    const slow = { leaseMs: 30_000, sweepMs: 100 };
    const byA: string[] = [];
    const byB: string[] = [];
    let release = () => {};
    const a = queue(
      'handover',
      async (p) => {
        byA.push(p);
        if (p === 'm1') await new Promise<void>((r) => (release = r));
      },
      slow,
    );
    for (let i = 0; i < 5; i++) await a.q.accept('9', `u${i}`, `m${i}`);
    await eventually(async () => (byA.includes('m1') ? true : undefined), 5_000, 'A at m1');
    const stopped = a.q.stop();
    const b = queue('handover', async (p) => void byB.push(p), slow);
    release();
    await stopped;
    await eventually(async () => (byB.length >= 3 ? true : undefined), 5_000, 'B went on');
    expect(byA).toEqual(['m0', 'm1']);
    expect(byB).toEqual(['m2', 'm3', 'm4']);
    await b.q.stop();
  });
});
