/** /healthz entry for Redis (bot and worker processes): PING with a short timeout. */
import type { RedisClient } from '../store/redis.ts';
import type { HealthState } from './server.ts';

const REDIS_PING_TIMEOUT_MS = 500;

export function redisHealth(redis: RedisClient | undefined): () => Promise<HealthState> {
  return async () => {
    if (!redis) return { ok: false, state: 'not configured' };
    let timer: NodeJS.Timeout | undefined;
    try {
      const pong = await Promise.race([
        redis.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), REDIS_PING_TIMEOUT_MS);
        }),
      ]);
      return { ok: pong === 'PONG', state: pong === 'PONG' ? 'ok' : String(pong) };
    } catch (e) {
      return { ok: false, state: e instanceof Error && e.message === 'timeout' ? 'timeout' : 'down', status: redis.status };
    } finally {
      clearTimeout(timer);
    }
  };
}
