/**
 * The whole flow against a 3-master Redis Cluster: groups, a broadcast under the per-chat
 * limits, a meeting reminder, an alert escalating and one acknowledged. Any script or MULTI
 * whose keys spanned two slots would fail with CROSSSLOT: a job would fail (recorded in
 * `errors`) and its message would never arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RedisCluster } from '../support/redis-topology.ts';
import { type HaApp, ALERT_CHATS, OFFICER, alertIdOf, startHaApp } from './harness.ts';
import { maxInWindow } from '../delivery/harness.ts';
import { COORDINATOR, shanghai, until } from '../meetings/harness.ts';
import type { Destination } from '../../src/messages.ts';
import { destinationKeys } from '../../src/delivery/limits.ts';
import { bullKeyPrefix, keyspace } from '../../src/store/keys.ts';
import { ChatQueue } from '../../src/platforms/chat-queue.ts';
import { LiveLimits } from '../../src/delivery/live-limits.ts';
import { createLogger } from '../../src/log.ts';

const TIMEOUT_MS = 2500;
let cluster: RedisCluster;
let h: HaApp;

beforeAll(async () => {
  cluster = await startCluster(3);
  h = await startHaApp({
    REDIS_CLUSTER_NODES: cluster.nodes,
    ALERT_TIMEOUTS_MS: `II=${TIMEOUT_MS}`,
    // Limits on (the defaults: 1 per chat per second, 20 per group chat per minute), bot rate lifted.
    DELIVERY_TELEGRAM_PER_S: '0',
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await cluster?.dispose();
});

describe('against a 3-master Redis Cluster', () => {
  it('keys are spread over the masters (the hash tags do not pin everything to one slot)', async () => {
    const redis = h.app.services.redis;
    const slots = new Set<number>();
    // The keys as the app builds them (src/store/keys.ts), not hand-written look-alikes.
    const keys = [
      keyspace(h.prefix, 'groups')('index'),
      destinationKeys(h.prefix, { platform: 'telegram', chatId: '-1' })('sent', 'x'),
      destinationKeys(h.prefix, { platform: 'telegram', chatId: '-2' })('sent', 'x'),
      `${bullKeyPrefix(h.prefix)}:deliver-telegram:id`,
    ];
    for (const k of keys) slots.add(Number(await redis.call('CLUSTER', 'KEYSLOT', k)));
    expect(slots.size).toBeGreaterThan(1);
  });

  it('groups, a broadcast within the per-chat limits, a meeting reminder, an alert with escalation and one with an acknowledgement', async () => {
    // Groups (MULTI over the index and the group's destinations).
    const chats: Destination[] = Array.from({ length: 12 }, (_, i) => ({ platform: 'telegram', chatId: String(-2000 - i) }));
    await h.app.services.groups.create('集群组');
    await h.app.services.groups.add('集群组', chats.map((to) => ({ to })));
    expect((await h.app.services.groups.list()).map((g) => g.name)).toContain('集群组');

    // Two broadcasts to the same chats back to back: the second waits on each chat's bucket.
    const ids: string[] = [];
    for (const text of ['第一条集群广播', '第二条集群广播']) {
      const b = await h.app.services.broadcasts.draft({
        group: '集群组',
        text,
        by: { platform: 'telegram', id: COORDINATOR.id },
        chat: { platform: 'telegram', chatId: '-9000' },
        destinations: chats,
      });
      expect(await h.app.services.broadcasts.confirm(b.id, undefined)).toBe(true);
      ids.push(b.id);
    }

    // A meeting for the group, reminded 4 s before (BullMQ delayed job).
    const start = Math.ceil((Date.now() + 9000) / 1000) * 1000;
    const meeting = await h.say(`/meeting add "集群联席会议" ${shanghai(start)} 集群组 --remind 4s`);
    expect(meeting.tone).not.toBe('error');

    // An alert nobody acknowledges escalates; one acknowledged does not.
    const a1 = alertIdOf(await h.say('/alert 文山 地震 II 州府震感强烈', OFFICER, { platform: 'telegram', chatId: OFFICER.id }));
    const a2 = alertIdOf(await h.say('/alert 文山 暴雨 II 城区内涝', OFFICER, { platform: 'telegram', chatId: OFFICER.id }));
    // Acknowledged at once, not after its card arrives: the card queues behind the first alert's
    // under the 1-per-second chat limit, and on a busy machine the escalation could come first.
    const ack = await h.press('alert.ack', a2, { platform: 'telegram', id: '77', name: '用户77' }, { platform: 'telegram', chatId: ALERT_CHATS['上海应急']! });
    expect(JSON.stringify(ack)).toContain('上海应急');
    await until(() => h.sentTo(ALERT_CHATS['上海应急']!, a2).length > 0, 20_000, 'second alert delivered');

    await until(() => h.sentTo(ALERT_CHATS['应急协调中心']!, a1).length > 0, 30_000, 'escalation of the first alert');
    await until(
      () => chats.every((c) => h.sentTo(c.chatId, '第二条集群广播').length === 1 && h.sentTo(c.chatId, '第一条集群广播').length === 1),
      60_000,
      'both broadcasts everywhere',
    );
    await until(() => chats.every((c) => h.sentTo(c.chatId, '集群联席会议').length >= 1), 30_000, 'meeting reminder');
    // Past the second alert's timeout too: still no escalation for it.
    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 1000));

    for (const c of chats) {
      const times = h.telegram.received.filter((r) => r.to.chatId === c.chatId).map((r) => r.at);
      // 1 per chat per second (the stand-in's arrival times; the limiter adds a guard margin).
      expect(maxInWindow(times, 1000), c.chatId).toBe(1);
    }
    for (const id of ids) {
      const b = await h.app.services.broadcasts.get(id);
      expect(b?.delivered).toBe(chats.length);
    }
    for (const g of ['文山应急', '上海应急', '应急领导小组']) {
      expect(h.sentTo(ALERT_CHATS[g]!, a1).length).toBeGreaterThan(0);
    }
    expect(h.sentTo(ALERT_CHATS['应急协调中心']!, a1)).toHaveLength(1);
    expect(h.sentTo(ALERT_CHATS['应急协调中心']!, a2)).toHaveLength(0);
    expect(h.errors.filter((e) => /CROSSSLOT/.test(e))).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it('the webhook chat queue and the live-answer limits: each script on one slot', async () => {
    const { redis, config } = h.app.services;
    const handled: string[] = [];
    const queue = new ChatQueue({ redis, prefix: h.prefix, source: 'telegram:1', log: createLogger('silent'), handle: async (p) => void handled.push(p) });
    for (let i = 0; i < 5; i++) expect(await queue.accept('555', `u${i}`, `m${i}`)).toBe(true);
    expect(await queue.accept('555', 'u0', 'm0')).toBe(false);
    await until(() => handled.length === 5, 10_000, 'queued updates handled');
    await queue.stop();
    expect(handled).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);

    const live = new LiveLimits(redis, h.prefix, config, createLogger('silent'));
    const at: number[] = [];
    for (let i = 0; i < 2; i++) await live.send({ platform: 'telegram', chatId: '-556' }, async () => void at.push(Date.now()));
    // Exactly 1000 with no allowance for timer granularity, and none needed: the chat's window is
    // 1000 ms plus DELIVERY_WINDOW_GUARD_MS (150 by default), measured on Redis's clock (this
    // machine's, as Date.now() is) from the first send's completion, which is after at[0]; a
    // timer firing early only makes the limiter look again. The gap is 1150 ms or more.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1000);
  });
});
