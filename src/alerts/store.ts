/**
 * Alert state in Redis, under `<prefix>:alerts:*` (this module is the only reader and writer):
 *   a:<id>            hash: data (JSON), status, step, base, updates, ackCounted, resolvedAt, summary
 *   a:<id>:acks       hash group → JSON {by, name, at}   (first acknowledgement per group wins)
 *   a:<id>:owners     hash group → JSON {by, name, at}
 *   a:<id>:dests      hash destinationKey → group        (which group a pressed chat belongs to)
 *   a:<id>:msgs       hash destinationKey → platform message id of the latest alert message
 *   a:<id>:timeline   list of JSON events, oldest first
 *   open:<kind>       zset id → createdAt of alerts not yet resolved (kind = real | drill)
 *   recent:<kind>     zset id → createdAt, trimmed to the latest 200
 *   dup:<kind>:<region>:<type>  the latest *sent* alert a repeat trigger joins (type folded); a
 *                     pending preview is never joined, so it is set when an alert is sent
 *   seq:<kind>:<day>  per-day id counter
 *   stats:<kind>      hash of counters (created, level:II, escalated, acknowledged, resolved …)
 * Drills and real alerts never share an index, a counter or a statistic.
 */
import type { RedisClient } from '../store/redis.ts';
import { foldCompact } from '../knowledge/fold.ts';
import { keyspace } from '../store/redis.ts';
import { nextAlertId } from './ids.ts';
import type { Level } from './levels.ts';
import type { Recipient, RoutePlan } from './routing.ts';

export type AlertStatus = 'pending' | 'open' | 'resolved' | 'cancelled';

export interface Actor {
  /** userKey, e.g. telegram:12345, or api:<source>. */
  key: string;
  name?: string;
}

/**
 * What the alert is: fixed at creation, except that raising it to a graver level rewrites
 * `level` and `plan` together (AlertStore.raise).
 */
export interface AlertData {
  id: string;
  drill: boolean;
  region: string;
  regionName: string;
  type: string;
  level: Level;
  text: string;
  source: 'chat' | 'api';
  /** Free text from the API caller (e.g. the monitoring feed's name). */
  sourceName?: string;
  triggeredBy: Actor;
  createdAt: number;
  plan: RoutePlan;
}

export interface Mark {
  by: string;
  name?: string;
  at: number;
}

export interface AlertState extends AlertData {
  status: AlertStatus;
  /**
   * Escalation step counter: never reused within an alert, so every step has its own job id.
   * Steps of the current plan are `stepBase + 1 …`; `step - stepBase` of them are taken.
   */
  step: number;
  /** The step counter when the current level's plan began (0 until the alert is raised). */
  stepBase: number;
  sentAt?: number;
  resolvedAt?: number;
  summary?: string;
  acks: Record<string, Mark>;
  owners: Record<string, Mark>;
  /** Groups notified so far (initial + escalation steps taken). */
  notified: Recipient[];
}

type TimelineKind =
  | 'created'
  | 'sent'
  | 'delivered'
  | 'failed'
  | 'acknowledged'
  | 'owned'
  | 'escalated'
  | 'updated'
  | 'joined'
  | 'raised'
  | 'resolved'
  | 'cancelled';

export interface TimelineEvent {
  at: number;
  kind: TimelineKind;
  by?: string;
  name?: string;
  group?: string;
  dest?: string;
  tier?: string;
  text?: string;
  /** Which message of the alert a delivery belongs to: s (first send), e<n>, l<n> (level raised), u<n>, r. */
  phase?: string;
}

const kindOf = (drill: boolean) => (drill ? 'drill' : 'real');

/**
 * Claims escalation step ARGV[1] when the alert is still open and unacknowledged: 1 when taken
 * now (the step before it was the last one taken), 2 when this step was already taken (a retried
 * job resuming its idempotent sends), 0 otherwise. Atomic, so a stale or repeated job, or one
 * racing an acknowledgement, cannot escalate an acknowledged alert or take a step twice.
 */
const CLAIM_STEP = `
if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return 0 end
if redis.call('HLEN', KEYS[2]) > 0 then return 0 end
local step = tonumber(redis.call('HGET', KEYS[1], 'step') or '0')
local want = tonumber(ARGV[1])
if step == want then return 2 end
if step + 1 ~= want then return 0 end
redis.call('HSET', KEYS[1], 'step', ARGV[1])
return 1
`;

export class AlertStore {
  private readonly k: (...parts: string[]) => string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.k = keyspace(prefix, 'alerts');
  }

  /** The next readable id of the day (see ids.ts). */
  nextId(at: number, timeZone: string, drill: boolean): Promise<string> {
    return nextAlertId(this.redis, (day, d) => this.k('seq', kindOf(d), day), at, timeZone, drill);
  }

  async create(data: AlertData, status: AlertStatus): Promise<void> {
    const kind = kindOf(data.drill);
    const m = this.redis.multi();
    m.hset(this.k('a', data.id), { data: JSON.stringify(data), status, step: '0', updates: '0' });
    m.zadd(this.k('recent', kind), data.createdAt, data.id);
    m.zremrangebyrank(this.k('recent', kind), 0, -201);
    if (status !== 'cancelled') m.zadd(this.k('open', kind), data.createdAt, data.id);
    m.hincrby(this.k('stats', kind), 'created', 1);
    m.hincrby(this.k('stats', kind), `level:${data.level}`, 1);
    await m.exec();
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.k('a', id))) === 1;
  }

  async get(id: string): Promise<AlertState | undefined> {
    const [h, acks, owners] = await Promise.all([
      this.redis.hgetall(this.k('a', id)),
      this.redis.hgetall(this.k('a', id, 'acks')),
      this.redis.hgetall(this.k('a', id, 'owners')),
    ]);
    if (!h.data) return undefined;
    const data = JSON.parse(h.data) as AlertData;
    const step = Number(h.step ?? 0);
    const stepBase = Number(h.base ?? 0);
    const notified =
      h.status === 'pending' || h.status === 'cancelled'
        ? []
        : [...data.plan.initial, ...data.plan.escalation.slice(0, step - stepBase).flatMap((s) => s.recipients)];
    const parse = (o: Record<string, string>) =>
      Object.fromEntries(Object.entries(o).map(([g, v]) => [g, JSON.parse(v) as Mark]));
    const state: AlertState = {
      ...data,
      status: (h.status ?? 'open') as AlertStatus,
      step,
      stepBase,
      acks: parse(acks),
      owners: parse(owners),
      notified,
    };
    if (h.sentAt) state.sentAt = Number(h.sentAt);
    if (h.resolvedAt) state.resolvedAt = Number(h.resolvedAt);
    if (h.summary) state.summary = h.summary;
    return state;
  }

  /** 地震, 地震 , 地震 in Traditional or full width: one disaster type for duplicate matching. */
  private dupKey(drill: boolean, region: string, type: string): string {
    return this.k('dup', kindOf(drill), region, foldCompact(type));
  }

  /** The latest sent alert a repeat of (region, type) would join, if any. */
  async duplicateOf(region: string, type: string, drill: boolean): Promise<string | undefined> {
    return (await this.redis.get(this.dupKey(drill, region, type))) ?? undefined;
  }

  /**
   * pending → open, and make it the alert repeats of its region and type join; false when it
   * was not pending (already sent or cancelled).
   */
  async markSent(a: AlertData, at: number): Promise<boolean> {
    const r = await this.redis.eval(
      `if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
       redis.call('HSET', KEYS[1], 'status', 'open', 'sentAt', ARGV[1])
       redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) return 1`,
      2,
      this.k('a', a.id),
      this.dupKey(a.drill, a.region, a.type),
      String(at),
      a.id,
      String(7 * 86_400),
    );
    return r === 1;
  }

  /**
   * Raise an open alert to a graver level: its level and plan are rewritten, the step counter
   * jumps past every step job already scheduled (stale jobs then name no step of the new plan),
   * and the acknowledgements are cleared, since the graver level needs its own 收到 before its
   * escalation stops (the timeline keeps the earlier ones). False when the alert is no longer
   * open or another raise came first (its step base moved).
   */
  async raise(id: string, expectedBase: number, level: Level, plan: RoutePlan): Promise<boolean> {
    const key = this.k('a', id);
    const raw = await this.redis.hget(key, 'data');
    if (!raw) return false;
    const old = JSON.parse(raw) as AlertData;
    const data: AlertData = { ...old, level, plan };
    const r = await this.redis.eval(
      `if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return 0 end
       if tonumber(redis.call('HGET', KEYS[1], 'base') or '0') ~= tonumber(ARGV[1]) then return 0 end
       local step = tonumber(redis.call('HGET', KEYS[1], 'step') or '0') + 1
       redis.call('HSET', KEYS[1], 'data', ARGV[2], 'step', step, 'base', step)
       redis.call('DEL', KEYS[2])
       redis.call('HINCRBY', KEYS[3], ARGV[3], -1)
       redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
       return 1`,
      3,
      key,
      this.k('a', id, 'acks'),
      this.k('stats', kindOf(old.drill)),
      String(expectedBase),
      JSON.stringify(data),
      `level:${old.level}`,
      `level:${level}`,
    );
    return r === 1;
  }

  async setStatus(id: string, drill: boolean, status: 'resolved' | 'cancelled', at: number, summary?: string): Promise<boolean> {
    const key = this.k('a', id);
    const prev = await this.redis.hget(key, 'status');
    if (prev === 'resolved' || prev === 'cancelled' || prev === null) return false;
    const m = this.redis.multi();
    m.hset(key, { status, resolvedAt: String(at), ...(summary ? { summary } : {}) });
    m.zrem(this.k('open', kindOf(drill)), id);
    if (status === 'resolved') m.hincrby(this.k('stats', kindOf(drill)), 'resolved', 1);
    await m.exec();
    return true;
  }

  async claimStep(id: string, step: number): Promise<'taken' | 'resumed' | 'refused'> {
    const r = await this.redis.eval(CLAIM_STEP, 2, this.k('a', id), this.k('a', id, 'acks'), String(step));
    if (r === 1) {
      const data = await this.redis.hget(this.k('a', id), 'data');
      if (data) await this.redis.hincrby(this.k('stats', kindOf((JSON.parse(data) as AlertData).drill)), 'escalated', 1);
    }
    return r === 1 ? 'taken' : r === 2 ? 'resumed' : 'refused';
  }

  /**
   * Record a group's acknowledgement. `first`: this group had not acknowledged yet; `firstOfAlert`:
   * no group had since the alert was sent or last raised (so escalation stops now).
   */
  async acknowledge(id: string, drill: boolean, group: string, mark: Mark): Promise<{ first: boolean; firstOfAlert: boolean }> {
    // One script, so two groups pressing at once cannot both count as the alert's first. The
    // statistic counts an alert once, even when a raise cleared its acknowledgements.
    const r = (await this.redis.eval(
      `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
       if redis.call('HLEN', KEYS[1]) == 1 then
         if redis.call('HSETNX', KEYS[3], 'ackCounted', '1') == 1 then redis.call('HINCRBY', KEYS[2], 'acknowledged', 1) end
         return 2
       end
       return 1`,
      3,
      this.k('a', id, 'acks'),
      this.k('stats', kindOf(drill)),
      this.k('a', id),
      group,
      JSON.stringify(mark),
    )) as number;
    return { first: r > 0, firstOfAlert: r === 2 };
  }

  /** Record who took ownership for a group (the latest press wins: ownership can be handed on). */
  async own(id: string, group: string, mark: Mark): Promise<void> {
    await this.redis.hset(this.k('a', id, 'owners'), group, JSON.stringify(mark));
  }

  async isAcknowledged(id: string): Promise<boolean> {
    return (await this.redis.hlen(this.k('a', id, 'acks'))) > 0;
  }

  async addUpdate(id: string): Promise<number> {
    return this.redis.hincrby(this.k('a', id), 'updates', 1);
  }

  async rememberDestinations(id: string, map: Record<string, string>): Promise<void> {
    if (Object.keys(map).length) await this.redis.hset(this.k('a', id, 'dests'), map);
  }

  async groupOfDestination(id: string, dest: string): Promise<string | undefined> {
    return (await this.redis.hget(this.k('a', id, 'dests'), dest)) ?? undefined;
  }

  async destinations(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.k('a', id, 'dests'));
  }

  async rememberMessage(id: string, dest: string, messageId: string): Promise<void> {
    await this.redis.hset(this.k('a', id, 'msgs'), dest, messageId);
  }

  async messages(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.k('a', id, 'msgs'));
  }

  async addEvent(id: string, event: TimelineEvent): Promise<void> {
    await this.redis.rpush(this.k('a', id, 'timeline'), JSON.stringify(event));
  }

  async timeline(id: string): Promise<TimelineEvent[]> {
    return (await this.redis.lrange(this.k('a', id, 'timeline'), 0, -1)).map((s) => JSON.parse(s) as TimelineEvent);
  }

  /** Open alerts (pending or sent, not resolved), oldest first. */
  async open(drill: boolean): Promise<string[]> {
    return this.redis.zrange(this.k('open', kindOf(drill)), '0', '-1');
  }

  async stats(drill: boolean): Promise<Record<string, number>> {
    const h = await this.redis.hgetall(this.k('stats', kindOf(drill)));
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }
}
