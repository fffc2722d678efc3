/**
 * Redis connections. Services get the shared command connection and build their keys under
 * their own prefix with `keyspace`; nobody writes another service's keys.
 */
import { Redis, type RedisOptions } from 'ioredis';

/**
 * A connection for service commands: lazy (so `xiezuo ask` never connects) and failing fast
 * when Redis is down, so a chat command answers "storage unavailable" instead of hanging.
 */
export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, ...extra });
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
