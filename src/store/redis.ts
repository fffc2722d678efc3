/**
 * Redis connections. Services get the shared command connection and build their keys under
 * their own prefix with `keyspace`; nobody writes another service's keys.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';

/**
 * A connection for service commands: lazy (so `xiezuo ask` never connects) and failing fast
 * when Redis is down, so a chat command answers "storage unavailable" instead of hanging.
 */
export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    // Reconnect attempts every ≤ 500 ms, so a command fails within about a second when Redis is
    // gone (ioredis' default backs off to 2 s a try: the user waited ~9 s for the answer).
    retryStrategy: (times) => Math.min(times * 100, 500),
    ...extra,
  });
}

/** A connection for BullMQ, which needs maxRetriesPerRequest: null on blocking connections. */
export function createBullConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Key builder for one service: keyspace('xiezuo', 'groups')('name', '沪滇') → 'xiezuo:groups:name:沪滇'. */
export function keyspace(prefix: string, family: string): (...parts: string[]) => string {
  const base = `${prefix}:${family}`;
  return (...parts) => (parts.length ? `${base}:${parts.join(':')}` : base);
}

/** Socket errors that mean the server cannot be reached (as opposed to a bad command). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

/** Redis cannot be reached right now: a command then answers "storage unavailable", not an error id. */
export function isRedisUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  const code = (e as NodeJS.ErrnoException).code;
  if (code && UNREACHABLE.has(code)) return true;
  // ioredis rejects commands on a connection it has closed with this text and no code.
  return e.message === 'Connection is closed.';
}

/**
 * Log the 'error' events of a connection, queue or worker without flooding. While Redis is down
 * ioredis and BullMQ emit one error per retry, several a second: the first is logged, then at
 * most one line a minute saying how many were left out. The listener also keeps ioredis from
 * printing "Unhandled error event" and BullMQ from printing raw errors that had no listener —
 * both land in the console chat's terminal.
 */
export function reportErrors(emitter: { on(event: 'error', listener: (err: Error) => void): unknown }, log: Logger, part: string, everyMs = 60_000): void {
  // Shared by every emitter of one part on one logger (a worker and its connection report the
  // same outage), and by nothing else: another app in the same process keeps its own.
  const parts = throttles.get(log) ?? new Map<string, { last: number; suppressed: number }>();
  throttles.set(log, parts);
  emitter.on('error', (err) => {
    const t = parts.get(part) ?? { last: -Infinity, suppressed: 0 };
    parts.set(part, t);
    const now = Date.now();
    if (now - t.last < everyMs) {
      t.suppressed++;
      return;
    }
    t.last = now;
    if (isRedisUnavailable(err)) log.warn('redis unavailable', { part, reason: err.message, suppressed: t.suppressed });
    else log.error('redis client error', { part, err, suppressed: t.suppressed });
    t.suppressed = 0;
  });
}
const throttles = new WeakMap<Logger, Map<string, { last: number; suppressed: number }>>();

/** Close a connection: QUIT when it is up, otherwise drop it (QUIT would wait for a server that is not there). */
export async function closeConnection(c: Redis): Promise<void> {
  if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
  else c.disconnect();
}

/** One JSON record stored under `key`, or undefined. */
export async function readJson<T>(redis: Redis, key: string): Promise<T | undefined> {
  const raw = await redis.get(key);
  return raw ? (JSON.parse(raw) as T) : undefined;
}

/** The JSON records whose ids a sorted set holds, in its order; ids whose record is gone are skipped. */
export async function readIndexed<T>(redis: Redis, indexKey: string, recordKey: (id: string) => string): Promise<T[]> {
  const ids = await redis.zrange(indexKey, '0', '-1');
  if (!ids.length) return [];
  const raws = await redis.mget(ids.map(recordKey));
  return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as T);
}

const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;

/**
 * Read-change-write of one JSON record without a lock: the write happens only if the record is
 * still what was read, else it is read again. `change` may throw (a UserError for "already done")
 * to stop; `missing` is thrown when there is no record.
 */
export async function updateJson<T>(
  redis: Redis,
  key: string,
  change: (before: T) => T,
  missing: () => Error,
): Promise<{ before: T; after: T }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const raw = await redis.get(key);
    if (!raw) throw missing();
    const before = JSON.parse(raw) as T;
    const after = change(before);
    if ((await redis.eval(COMPARE_AND_SET, 1, key, raw, JSON.stringify(after))) === 1) return { before, after };
  }
  throw new Error(`${key}: too many concurrent updates`);
}

/** Replace a JSON record only if it still holds `before` (serialised the same way it was read). */
export async function replaceJsonIf<T>(redis: Redis, key: string, before: T, after: T): Promise<boolean> {
  return (await redis.eval(COMPARE_AND_SET, 1, key, JSON.stringify(before), JSON.stringify(after))) === 1;
}
