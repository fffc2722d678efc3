/**
 * Redis connections. Services get the shared command connection and build their keys under
 * their own prefix with `keyspace`; nobody writes another service's keys.
 */
import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

// Loaded with require(), not import: the same module, without Node 20's export-name scan of its
// re-exported files (see bullmq.ts) — about 120 ms less at every start.
const ioredis = createRequire(import.meta.url)('ioredis') as typeof IORedis;

/** A connection of any mode: a single server or Sentinel-watched master (`Redis`), or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one server, a Sentinel-watched master, or a Cluster (src/config.ts). */
export type RedisTarget =
  | { mode: 'single'; url: string }
  | {
      mode: 'sentinel';
      sentinels: HostPort[];
      name: string;
      sentinelPassword?: string;
      username?: string;
      password?: string;
      tls: boolean;
    }
  | { mode: 'cluster'; nodes: HostPort[]; username?: string; password?: string; tls: boolean };

interface HostPort {
  host: string;
  port: number;
}

type TargetConfig = Pick<
  Config,
  'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD' | 'REDIS_CLUSTER_NODES' | 'REDIS_USERNAME' | 'REDIS_PASSWORD' | 'REDIS_TLS'
>;

/** The configured target: Sentinel or Cluster when set (REDIS_URL is then ignored), else REDIS_URL. */
export function redisTarget(c: TargetConfig): RedisTarget {
  const auth = { ...(c.REDIS_USERNAME ? { username: c.REDIS_USERNAME } : {}), ...(c.REDIS_PASSWORD ? { password: c.REDIS_PASSWORD } : {}), tls: c.REDIS_TLS };
  if (c.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: c.REDIS_CLUSTER_NODES, ...auth };
  if (c.REDIS_SENTINELS)
    return {
      mode: 'sentinel',
      sentinels: c.REDIS_SENTINELS,
      name: c.REDIS_SENTINEL_NAME,
      ...(c.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: c.REDIS_SENTINEL_PASSWORD } : {}),
      ...auth,
    };
  return { mode: 'single', url: c.REDIS_URL };
}

/** For the start-up log: the mode and addresses, never a password. */
export function describeTarget(t: RedisTarget): Record<string, unknown> {
  const list = (hs: HostPort[]) => hs.map((h) => `${h.host}:${h.port}`).join(',');
  if (t.mode === 'cluster') return { mode: 'cluster', nodes: list(t.nodes), tls: t.tls, note: 'REDIS_URL ignored' };
  if (t.mode === 'sentinel') return { mode: 'sentinel', sentinels: list(t.sentinels), master: t.name, tls: t.tls, note: 'REDIS_URL ignored' };
  const u = new URL(t.url);
  return { mode: 'single', url: `${u.protocol}//${u.host}${u.pathname}` };
}

/**
 * What a connection is for:
 * - `commands`: service commands — lazy (so `xiezuo ask` never connects) and failing fast when
 *   Redis is down, so a chat command answers "storage unavailable" instead of hanging;
 * - `producer`: BullMQ queues that add jobs — no offline queue, so an enqueue while Redis is
 *   unreachable fails at once (BullMQ's advice for producers) instead of piling up in memory;
 * - `worker`: BullMQ workers — maxRetriesPerRequest null, as BullMQ requires for blocking calls,
 *   so a worker waits out a restart or failover and resumes.
 */
type ConnectionRole = 'commands' | 'producer' | 'worker';

// Reconnect attempts every ≤ 500 ms, so a command fails within about a second when Redis is
// gone (ioredis' default backs off to 2 s a try: the user waited ~9 s for the answer).
const retryStrategy = (times: number) => Math.min(times * 100, 500);

function roleOptions(role: ConnectionRole): RedisOptions {
  if (role === 'commands') return { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, retryStrategy };
  if (role === 'producer') return { maxRetriesPerRequest: 2, enableOfflineQueue: false, retryStrategy };
  return { maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy };
}

/**
 * The one place connections are built; no part calls `new Redis` itself. `target` is the
 * configured RedisTarget (a bare URL means single mode: tests and the bench pass their
 * private server's). Services take either kind (`RedisClient`): the command surface they use
 * (commands, multi, eval, defineCommand, pipelines) is the same, and every multi-key command
 * and script touches one hash slot (src/store/keys.ts).
 */
function connectRedis(target: RedisTarget | string, role: ConnectionRole, extra: RedisOptions = {}): RedisClient {
  const t: RedisTarget = typeof target === 'string' ? { mode: 'single', url: target } : target;
  const opts = { ...roleOptions(role), ...extra };
  if (t.mode === 'single') return new ioredis.Redis(t.url, opts);
  const auth: RedisOptions = {
    ...(t.username ? { username: t.username } : {}),
    ...(t.password ? { password: t.password } : {}),
    ...(t.tls ? { tls: {} } : {}),
  };
  if (t.mode === 'sentinel')
    return new ioredis.Redis({
      ...opts,
      ...auth,
      sentinels: t.sentinels,
      name: t.name,
      ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
      ...(t.tls ? { enableTLSForSentinelMode: true } : {}),
      // Not ioredis' failoverDetector: in 6.0 its disconnect can land while a reconnect is still
      // asking the sentinels, and that connect then ends the client for good ("Connection is
      // closed." on every later command; seen in tests/ha/sentinel.test.ts). A dead master is
      // noticed by the socket closing; a demoted one answers READONLY, and then we reconnect,
      // which asks the sentinels for the new master and resends the command.
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
      sentinelRetryStrategy: retryStrategy,
    });
  const { lazyConnect, enableOfflineQueue, enableAutoPipelining, retryStrategy: _r, ...nodeOpts } = opts;
  const cluster = new ioredis.Cluster(t.nodes, {
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    // Not for producers: BullMQ (6.7) counts a Cluster as ready at 'connect', sends INFO, and an
    // ioredis Cluster without offline queue refuses everything before 'ready' — the queue's
    // start-up would fail for good. maxRetriesPerRequest 2 still fails an enqueue within about a
    // second while the cluster is unreachable.
    enableOfflineQueue: role === 'producer' ? true : (enableOfflineQueue ?? true),
    ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
    clusterRetryStrategy: retryStrategy,
    // A failover moves slots: retry redirected/failed-over commands shortly instead of failing.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    redisOptions: { ...nodeOpts, ...auth },
  });
  return cluster;
}

/** A connection for service commands (see ConnectionRole). */
export function createRedis(target: RedisTarget | string, extra: RedisOptions = {}): RedisClient {
  return connectRedis(target, 'commands', extra);
}

/** A connection for BullMQ: `worker` (the default) for Workers, `producer` for Queues that add jobs. */
export function createBullConnection(target: RedisTarget | string, role: 'producer' | 'worker' = 'worker'): RedisClient {
  return connectRedis(target, role);
}

/** Key builders live with the key layout; re-exported because every store imports them from here. */
export { keyspace } from './keys.ts';

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
export async function closeConnection(c: RedisClient): Promise<void> {
  if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
  else c.disconnect();
}

/** One JSON record stored under `key`, or undefined. */
export async function readJson<T>(redis: RedisClient, key: string): Promise<T | undefined> {
  const raw = await redis.get(key);
  return raw ? (JSON.parse(raw) as T) : undefined;
}

/** The JSON records whose ids a sorted set holds, in its order; ids whose record is gone are skipped. */
export async function readIndexed<T>(redis: RedisClient, indexKey: string, recordKey: (id: string) => string): Promise<T[]> {
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
  redis: RedisClient,
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
export async function replaceJsonIf<T>(redis: RedisClient, key: string, before: T, after: T): Promise<boolean> {
  return (await redis.eval(COMPARE_AND_SET, 1, key, JSON.stringify(before), JSON.stringify(after))) === 1;
}
