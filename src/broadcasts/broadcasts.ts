/**
 * Broadcasts: one notice to every destination of a channel group, previewed, confirmed, then
 * delivered through the Outbox (one message per destination, id `${broadcastId}:${destinationKey}`).
 *
 * State (prefix:broadcasts:…): `b:<id>` hash (meta, status, counters, the preview message to
 * edit), `b:<id>:out` hash destinationKey → outcome JSON, `active` set of confirmed broadcasts
 * not yet finished (what reconcile() walks at worker start). Outcomes are recorded with HSETNX, so a
 * re-reported outcome (a retried job finding its sent-marker) never counts twice. The
 * coordinator's preview is edited as outcomes land, at most once per PROGRESS_EDIT_MS per
 * broadcast, and finally replaced by the report.
 */
import { typedId } from '../args.ts';
import type { RedisClient } from '../store/redis.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { type Destination, type Reply, type UserRef, destinationKey, parseDestination, userKey } from '../messages.ts';
import type { Senders } from '../delivery/sender.ts';
import type { BullOutbox } from '../delivery/bull-outbox.ts';
import { jobIdFor } from '../delivery/bull-outbox.ts';
import type { DeliveryOutcome, OutgoingMessage } from '../delivery/outbox.ts';
import { keyspace } from '../store/redis.ts';
import { zonedWithBeijing } from '../render/when.ts';
import { wallTime } from '../time.ts';
import { msg } from '../i18n/index.ts';

export type BroadcastStatus = 'draft' | 'scheduled' | 'sending' | 'done' | 'cancelled';

export interface Broadcast {
  id: string;
  group: string;
  text: string;
  by: string;
  byName?: string;
  /** The chat it was started from (where the preview lives). */
  chat: Destination;
  createdAt: number;
  status: BroadcastStatus;
  /** Send no earlier than this instant (scheduled broadcasts). */
  at?: number;
  zone: string;
  destinations: Destination[];
  /** Chats of the group on platforms this deployment cannot send to: never enqueued, reported apart. */
  unreachable?: Destination[];
  total: number;
  delivered: number;
  failed: number;
  previewMessageId?: string;
  confirmedAt?: number;
  finishedAt?: number;
}

export interface BroadcastOutcome {
  to: Destination;
  status: 'delivered' | 'failed';
  reason?: string;
  at: number;
}

/** At most one progress edit of the preview per broadcast per this many ms. */
const PROGRESS_EDIT_MS = 1000;

// KEYS[1] = b:<id>, KEYS[2] = b:<id>:out, KEYS[3] = b:<id>:edit (progress-edit throttle).
// ARGV = destKey, outcome JSON, counter field (delivered|failed), throttle ms.
// Returns {new?, delivered, failed, total, may edit now?} — one round trip per outcome.
const RECORD = `
local added = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
if added == 1 then
  redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
  if redis.call('HGET', KEYS[1], 'status') == 'scheduled' then redis.call('HSET', KEYS[1], 'status', 'sending') end
end
local v = redis.call('HMGET', KEYS[1], 'delivered', 'failed', 'total')
local d, f, t = tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0')
local slot = 0
if added == 1 and d + f < t and redis.call('SET', KEYS[3], '1', 'PX', ARGV[4], 'NX') then slot = 1 end
return {added, d, f, t, slot}
`;

// Move a broadcast from one status to another only if it is still in the expected one.
const TRANSITION = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

type RecordingRedis = RedisClient & { xzBroadcastRecord(...a: (string | number)[]): Promise<number[]> };

export function formatInstant(ms: number, zone: string): string {
  const w = wallTime(ms, zone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}

export interface BroadcastsOptions {
  redis: RedisClient;
  prefix: string;
  outbox: BullOutbox;
  /** This process's senders: previews are edited through them with progress. */
  senders: Senders;
  clock: Clock;
  log: Logger;
  /** The display zone (ids carry its date; times are shown in it). */
  zone: string;
}

export class Broadcasts {
  private readonly key: (...p: string[]) => string;
  private readonly redis: RedisClient;
  private readonly outbox: BullOutbox;
  private readonly senders: Senders;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly zone: string;

  constructor(o: BroadcastsOptions) {
    ({ redis: this.redis, outbox: this.outbox, senders: this.senders, clock: this.clock, log: this.log, zone: this.zone } = o);
    const { redis, outbox } = o;
    this.key = keyspace(o.prefix, 'broadcasts');
    // EVALSHA: the script crosses the wire once, not once per outcome.
    if (typeof (redis as RecordingRedis).xzBroadcastRecord !== 'function') redis.defineCommand('xzBroadcastRecord', { numberOfKeys: 3, lua: RECORD });
    outbox.listen('broadcast', {
      onOutcome: (m, o) => this.onOutcome(m, o),
      // Cancel removes the queued jobs it can, but not one a worker holds (waiting on a bucket or
      // a 429 between attempts, or running): delivery asks right before each send.
      isCurrent: async (m) => (await this.redis.hget(this.key('b', m.origin.id), 'status')) !== 'cancelled',
    });
  }

  /** Whether this process can edit a message in that chat (a preview it then keeps up to date). */
  canEdit(chat: Destination): boolean {
    return this.senders[chat.platform] !== undefined;
  }

  /** A new draft: readable id `B-YYYYMMDD-NN` (date in the display zone), destinations fixed now. */
  async draft(input: {
    group: string;
    text: string;
    by: UserRef;
    chat: Destination;
    destinations: Destination[];
    unreachable?: Destination[];
    at?: number;
    zone?: string;
  }): Promise<Broadcast> {
    const now = this.clock.now();
    const day = formatInstant(now, this.zone).slice(0, 10).replace(/-/g, '');
    const seq = await this.redis.incr(this.key('seq', day));
    await this.redis.expire(this.key('seq', day), 3 * 24 * 3600);
    const id = `B-${day}-${String(seq).padStart(2, '0')}`;
    const b: Broadcast = {
      id,
      group: input.group,
      text: input.text,
      by: userKey(input.by),
      chat: input.chat,
      createdAt: now,
      status: 'draft',
      zone: input.zone ?? this.zone,
      destinations: input.destinations,
      total: input.destinations.length,
      delivered: 0,
      failed: 0,
    };
    if (input.by.name) b.byName = input.by.name;
    if (input.at !== undefined) b.at = input.at;
    const fields: Record<string, string> = {
      id,
      group: b.group,
      text: b.text,
      by: b.by,
      chat: destinationKey(b.chat),
      createdAt: String(now),
      status: 'draft',
      zone: b.zone,
      destinations: JSON.stringify(b.destinations.map(destinationKey)),
      total: String(b.total),
      delivered: '0',
      failed: '0',
    };
    if (b.byName) fields.byName = b.byName;
    if (b.at !== undefined) fields.at = String(b.at);
    if (input.unreachable?.length) {
      b.unreachable = input.unreachable;
      fields.unreachable = JSON.stringify(input.unreachable.map(destinationKey));
    }
    await this.redis.hset(this.key('b', id), fields);
    return b;
  }

  async get(id: string): Promise<Broadcast | undefined> {
    const h = await this.redis.hgetall(this.key('b', typedId(id)));
    if (!h.id) return undefined;
    const b: Broadcast = {
      id: h.id,
      group: h.group ?? '',
      text: h.text ?? '',
      by: h.by ?? '',
      chat: parseDestination(h.chat ?? '') ?? { platform: 'console', chatId: 'unknown' },
      createdAt: Number(h.createdAt),
      status: (h.status as BroadcastStatus) ?? 'draft',
      zone: h.zone ?? this.zone,
      destinations: (JSON.parse(h.destinations ?? '[]') as string[]).map((k) => parseDestination(k)).filter((d): d is Destination => !!d),
      total: Number(h.total ?? 0),
      delivered: Number(h.delivered ?? 0),
      failed: Number(h.failed ?? 0),
    };
    if (h.byName) b.byName = h.byName;
    if (h.at) b.at = Number(h.at);
    if (h.unreachable) b.unreachable = (JSON.parse(h.unreachable) as string[]).map((k) => parseDestination(k)).filter((d): d is Destination => !!d);
    if (h.previewMessageId) b.previewMessageId = h.previewMessageId;
    if (h.confirmedAt) b.confirmedAt = Number(h.confirmedAt);
    if (h.finishedAt) b.finishedAt = Number(h.finishedAt);
    return b;
  }

  /** Status and counters only (cheap: no destination list), e.g. for polling. */
  async progress(id: string): Promise<{ status: BroadcastStatus; delivered: number; failed: number; total: number } | undefined> {
    const [status, delivered, failed, total] = await this.redis.hmget(this.key('b', id), 'status', 'delivered', 'failed', 'total');
    if (!status) return undefined;
    return { status: status as BroadcastStatus, delivered: Number(delivered), failed: Number(failed), total: Number(total) };
  }

  /** Every outcome so far, by destination. */
  async outcomes(id: string): Promise<BroadcastOutcome[]> {
    const h = await this.redis.hgetall(this.key('b', id, 'out'));
    return Object.entries(h)
      .map(([k, v]) => ({ to: parseDestination(k), ...(JSON.parse(v) as Omit<BroadcastOutcome, 'to'>) }))
      .filter((o): o is BroadcastOutcome => !!o.to);
  }

  /** The message each destination receives. */
  messageFor(b: Broadcast): Reply {
    return {
      title: msg.broadcast.noticeTitle(b.group),
      blocks: [{ text: b.text }],
      footer: msg.broadcast.noticeFooter(b.byName ?? b.by, b.id),
      tone: 'notice',
    };
  }

  /**
   * Confirm a draft and enqueue its deliveries. `previewMessageId` is the platform id of the
   * preview message (from the button press), edited later with progress. False when the
   * broadcast was no longer a draft (confirmed twice, cancelled).
   */
  async confirm(id: string, previewMessageId: string | undefined): Promise<boolean> {
    const b = await this.get(id);
    if (!b) return false;
    const now = this.clock.now();
    const next: BroadcastStatus = b.at !== undefined && b.at > now ? 'scheduled' : 'sending';
    const extra = ['confirmedAt', String(now)];
    if (previewMessageId) extra.push('previewMessageId', previewMessageId);
    // Indexed before the transition: a crash between the transition and the enqueue below must
    // leave the broadcast where reconcile() finds it (an index entry for a draft is harmless).
    await this.redis.sadd(this.key('active'), b.id);
    const ok = await this.redis.eval(TRANSITION, 1, this.key('b', b.id), 'draft', next, ...extra);
    if (Number(ok) !== 1) {
      const status = await this.redis.hget(this.key('b', b.id), 'status');
      if (status !== 'scheduled' && status !== 'sending') await this.redis.srem(this.key('active'), b.id);
      return false;
    }
    if (b.total === 0) {
      await this.finish(b.id);
      return true;
    }
    if (next === 'sending' && previewMessageId) {
      b.status = 'sending';
      b.previewMessageId = previewMessageId;
      // Shown before any delivery can land, so progress edits always come after it; it takes
      // the first throttle slot like any progress edit.
      await this.redis.set(this.key('b', b.id, 'edit'), '1', 'PX', PROGRESS_EDIT_MS);
      await this.editPreview(b, this.progressReply(b));
    }
    await this.enqueueDeliveries(b, b.destinations);
    return true;
  }

  /** One delivery per destination; ids are stable, so enqueueing one twice adds nothing. */
  private async enqueueDeliveries(b: Broadcast, destinations: Destination[]): Promise<void> {
    const reply = this.messageFor(b);
    const messages: OutgoingMessage[] = destinations.map((to) => ({
      id: `${b.id}:${destinationKey(to)}`,
      to,
      reply,
      origin: { kind: 'broadcast', id: b.id },
    }));
    const now = this.clock.now();
    await this.outbox.enqueue(messages, b.at !== undefined && b.at > now ? { notBefore: b.at } : {});
  }

  /**
   * Re-enqueue the deliveries of every confirmed broadcast (scheduled or sending) that still
   * lacks outcomes, for the destinations without one. Run at worker start: a crash between
   * confirm's status change and its enqueue (or halfway through the chunks) would otherwise
   * leave a broadcast sending forever. Safe to repeat and to run beside live workers: a job id
   * that still exists is not added again, and the sent-marker stops a second send of one that
   * finished. Returns the number of broadcasts re-enqueued.
   */
  async reconcile(): Promise<number> {
    let n = 0;
    for (const id of await this.redis.smembers(this.key('active'))) {
      const b = await this.get(id);
      if (!b || (b.status !== 'scheduled' && b.status !== 'sending')) {
        await this.redis.srem(this.key('active'), id);
        continue;
      }
      if (b.delivered + b.failed >= b.total) {
        await this.finish(b.id);
        continue;
      }
      const done = new Set(Object.keys(await this.redis.hgetall(this.key('b', id, 'out'))));
      const missing = b.destinations.filter((to) => !done.has(destinationKey(to)));
      if (!missing.length) continue;
      await this.enqueueDeliveries(b, missing);
      this.log.info('broadcast re-enqueued at start', { id: b.id, status: b.status, missing: missing.length });
      n++;
    }
    return n;
  }

  /**
   * Cancel a draft or a scheduled broadcast (its queued jobs are removed). A broadcast already
   * sending cannot be called back. False when nothing was cancelled.
   */
  async cancel(id: string): Promise<boolean> {
    const b = await this.get(id);
    if (!b) return false;
    for (const from of ['draft', 'scheduled'] as const) {
      const ok = await this.redis.eval(TRANSITION, 1, this.key('b', b.id), from, 'cancelled', 'finishedAt', String(this.clock.now()));
      if (Number(ok) !== 1) continue;
      await this.redis.srem(this.key('active'), b.id);
      if (from === 'scheduled') {
        // Best effort: a job a worker holds is not removed, and finds the broadcast cancelled
        // when delivery asks isCurrent before sending.
        for (const to of b.destinations) {
          await this.outbox.queue(to.platform).remove(jobIdFor(`${b.id}:${destinationKey(to)}`));
        }
      }
      return true;
    }
    return false;
  }

  /** Record one destination's final outcome; edits the preview (throttled) and finishes when all are in. */
  async onOutcome(m: OutgoingMessage, o: DeliveryOutcome): Promise<void> {
    // A cancelled broadcast's stragglers: not sent, nothing to count.
    if (o.status === 'skipped') return;
    const id = m.origin.id;
    const bKey = this.key('b', id);
    const record: Omit<BroadcastOutcome, 'to'> = o.status === 'delivered' ? { status: 'delivered', at: o.at } : { status: 'failed', reason: o.reason, at: o.at };
    const r = await (this.redis as RecordingRedis).xzBroadcastRecord(
      bKey, this.key('b', id, 'out'), this.key('b', id, 'edit'),
      destinationKey(m.to), JSON.stringify(record), o.status, PROGRESS_EDIT_MS,
    );
    const [added, delivered, failed, total, slot] = r.map(Number) as [number, number, number, number, number];
    if (!added) return;
    if (delivered + failed >= total) {
      await this.finish(id);
      return;
    }
    if (!slot) return;
    const b = await this.get(id);
    if (!b) return;
    await this.editPreview(b, this.progressReply(b));
    // A progress edit that landed after the final report must not be the last word.
    const after = await this.get(id);
    if (after?.status === 'done') await this.editPreview(after, this.reportReply(after, await this.outcomes(id)));
  }

  private async finish(id: string): Promise<void> {
    const bKey = this.key('b', id);
    const ok = await this.redis.hsetnx(bKey, 'finishedAt', String(this.clock.now()));
    if (!ok) return;
    await this.redis.hset(bKey, 'status', 'done');
    const b = await this.get(id);
    if (b) {
      const report = this.reportReply(b, await this.outcomes(id));
      if (b.previewMessageId) await this.editPreview(b, report);
      else await this.sendToCoordinator(b, report);
    }
    // Last: a crash before it leaves a done broadcast in the index, which reconcile drops.
    await this.redis.srem(this.key('active'), id);
  }

  progressReply(b: Broadcast): Reply {
    return {
      title: msg.broadcast.progressTitle(b.id, b.group),
      blocks: [{ text: msg.broadcast.progress(b.delivered, b.failed, b.total) }],
      tone: 'notice',
    };
  }

  /** The status or final report: counts, then every failed destination with its reason. */
  reportReply(b: Broadcast, outcomes: BroadcastOutcome[]): Reply {
    const failed = outcomes.filter((o) => o.status === 'failed');
    // A cancelled broadcast has nothing waiting: what was never sent is counted as not sent.
    const unsent = b.total - b.delivered - b.failed;
    const pending = b.status === 'cancelled' || b.status === 'draft' ? 0 : unsent;
    const blocks: Reply['blocks'] = [
      {
        text: msg.broadcast.reportSummary({
          status: msg.broadcast.statusNames[b.status] ?? b.status,
          delivered: b.delivered,
          failed: b.failed,
          pending,
          notSent: b.status === 'cancelled' ? unsent : 0,
          total: b.total,
          at: b.at !== undefined ? zonedWithBeijing(b.at, b.zone) : undefined,
        }),
      },
    ];
    if (failed.length) {
      blocks.push({
        heading: msg.broadcast.failedHeading(failed.length),
        text: failed.map((f) => `${destinationKey(f.to)}：${f.reason ?? ''}`).join('\n'),
      });
    }
    if (b.unreachable?.length) blocks.push({ text: msg.broadcast.unreachable(b.unreachable.map(destinationKey)) });
    return { title: msg.broadcast.reportTitle(b.id, b.group), blocks, tone: 'notice' };
  }

  private async editPreview(b: Broadcast, reply: Reply): Promise<void> {
    const sender = this.senders[b.chat.platform];
    if (!sender || !b.previewMessageId) return;
    try {
      await sender.edit(b.chat, b.previewMessageId, reply);
    } catch (e) {
      // Progress display is best effort; the state in Redis and /broadcast status stay right.
      this.log.warn('broadcast preview edit failed', { id: b.id, err: e });
    }
  }

  private async sendToCoordinator(b: Broadcast, reply: Reply): Promise<void> {
    const sender = this.senders[b.chat.platform];
    if (!sender) return;
    try {
      await sender.send(b.chat, reply);
    } catch (e) {
      this.log.warn('broadcast report send failed', { id: b.id, err: e });
    }
  }
}
