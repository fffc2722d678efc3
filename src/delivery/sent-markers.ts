/**
 * Sent-markers and send claims: what makes at-least-once delivery send each message id once.
 *
 * A job id blocks a duplicate only while the earlier job still exists (BullMQ #1318, #1900), so
 * the guard sits at send time. One Lua script, right before sending, atomically: returns the
 * sent-marker when the id was sent already; otherwise takes a short claim on the id (SET NX PX)
 * and a slot in every rate bucket of the destination (src/delivery/limits.ts). A second worker
 * holding the same job (stalled-job recovery while the first is alive) finds the claim and waits.
 * Right after the send a second script writes the marker (the platform's message id) and drops
 * the claim.
 *
 * The one window left is a crash after the platform accepted the message and before the marker
 * was written (one HTTP response + one Redis write). The claim then expires and the message is
 * sent again: at most one duplicate per message in flight at the moment of the crash, so per
 * crashed worker at most DELIVERY_CONCURRENCY duplicates per platform queue
 * (tests/delivery/crash.test.ts counts them).
 */
import type { RedisClient } from '../store/redis.ts';
import type { Destination } from '../messages.ts';
import type { BucketKeys } from './limits.ts';
import { LIMITS_LUA, destinationKeys } from './limits.ts';

/** Markers outlive any retry, reschedule or restart, then expire so the keyspace stays bounded. */
const MARKER_TTL_S = 30 * 24 * 3600;

/** sent, claim, block, and at most two buckets (chat, group: src/delivery/limits.ts). */
const BEGIN_MAX_KEYS = 5;

// KEYS: sent, claim, block, buckets…  ARGV: token, claimMs, member, (limit, window)…
const BEGIN = `
local sent = redis.call('GET', KEYS[1])
if sent then return {'sent', sent} end
if not redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then
  local left = redis.call('PTTL', KEYS[2])
  if left < 1 then left = 1 end
  return {'claimed', tostring(left)}
end
${LIMITS_LUA}
local wait = acquire(3, 3)
if wait > 0 then
  redis.call('DEL', KEYS[2])
  return {'wait', tostring(wait)}
end
return {'go', ''}
`;

// KEYS: sent, claim.  ARGV: platform message id, ttl s, token
const FINISH = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX')
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
`;

// KEYS: claim.  ARGV: token
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export type Gate =
  | { state: 'sent'; messageId: string }
  | { state: 'claimed'; ms: number }
  | { state: 'wait'; ms: number }
  | { state: 'go' };

type Scripted = RedisClient & {
  [begin: `xzDeliveryBegin${number}`]: (...a: (string | number)[]) => Promise<[string, string]>;
  xzDeliveryFinish(...a: (string | number)[]): Promise<number>;
  xzDeliveryRelease(...a: (string | number)[]): Promise<number>;
};

function scripted(redis: RedisClient): Scripted {
  const r = redis as Scripted;
  // defineCommand sends EVALSHA (falling back to EVAL once), so scripts cross the wire once.
  // BEGIN is defined once per key count (sent, claim, block + 0–2 buckets) rather than with a
  // count passed per call: ioredis' auto-pipelining on a Cluster routes a call by its first
  // argument, which must then be the first key, not the count.
  if (typeof r.xzDeliveryFinish !== 'function') {
    for (let n = 3; n <= BEGIN_MAX_KEYS; n++) redis.defineCommand(`xzDeliveryBegin${n}`, { numberOfKeys: n, lua: BEGIN });
    redis.defineCommand('xzDeliveryFinish', { numberOfKeys: 2, lua: FINISH });
    redis.defineCommand('xzDeliveryRelease', { numberOfKeys: 1, lua: RELEASE });
  }
  return r;
}

/**
 * Markers and claims live under the destination's hash tag, with its rate-limit keys, so the
 * gate's one script touches one Cluster slot; hence every call names the destination.
 */
export class SentMarkers {
  private readonly redis: Scripted;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.redis = scripted(redis);
  }

  private key(to: Destination, kind: 'sent' | 'claim', id: string): string {
    return destinationKeys(this.prefix, to)(kind, id);
  }

  /** The platform message id when this message id was sent already. */
  async sent(to: Destination, id: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(to, 'sent', id))) ?? undefined;
  }

  /** Before sending: already sent? someone else sending? buckets full? else claim + buckets taken. */
  async begin(to: Destination, id: string, token: string, claimMs: number, buckets: BucketKeys): Promise<Gate> {
    const keys = [this.key(to, 'sent', id), this.key(to, 'claim', id), ...buckets.keys];
    if (keys.length > BEGIN_MAX_KEYS) throw new Error(`send gate: ${keys.length} keys, at most ${BEGIN_MAX_KEYS}`);
    const [state, value] = await this.redis[`xzDeliveryBegin${keys.length}`]!(...keys, token, claimMs, ...buckets.args);
    if (state === 'sent') return { state, messageId: value };
    if (state === 'claimed' || state === 'wait') return { state, ms: Number(value) };
    return { state: 'go' };
  }

  /** After a send: record the marker (NX: the first platform id stays the one edited later) and drop the claim. */
  async finish(to: Destination, id: string, token: string, platformMessageId: string): Promise<void> {
    await this.redis.xzDeliveryFinish(this.key(to, 'sent', id), this.key(to, 'claim', id), platformMessageId, MARKER_TTL_S, token);
  }

  /** Drop our claim after a failed send (only if still ours). */
  async release(to: Destination, id: string, token: string): Promise<void> {
    await this.redis.xzDeliveryRelease(this.key(to, 'claim', id), token);
  }
}
