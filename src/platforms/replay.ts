/**
 * Replays run once. Telegram redelivers a webhook update it thinks failed, Slack retries an event
 * (same `event_id`, `x-slack-retry-num`) and anyone holding a captured signed request may post it
 * again within Slack's five-minute window. Each inbound is claimed in Redis with SET NX EX before
 * it is handled, so the second copy is dropped by whichever process receives it.
 *
 * When Redis cannot be reached the update is handled anyway: a rare double answer beats a
 * command that silently never runs.
 */
import type { RedisClient } from '../store/redis.ts';
import type { Logger } from '../log.ts';
import { keyspace } from '../store/redis.ts';

/**
 * How long a claim is kept. Longer than Slack's signature window (5 min) and its retry schedule
 * (about 1 min, 5 min), and than any sensible Telegram redelivery of a webhook we answered.
 */
export const REPLAY_WINDOW_S = 3600;

export class ReplayGuard {
  private readonly key: (...p: string[]) => string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly log: Logger,
    private readonly windowS = REPLAY_WINDOW_S,
  ) {
    this.key = keyspace(prefix, 'replay');
  }

  /** True the first time `id` is seen within the window (in any process on this Redis). */
  async first(id: string): Promise<boolean> {
    try {
      return (await this.redis.set(this.key(id), '1', 'EX', this.windowS, 'NX')) === 'OK';
    } catch (err) {
      this.log.warn('replay check failed; handling the update anyway', { err, id: id.slice(0, 80) });
      return true;
    }
  }
}

/** The guard for an app's services; undefined where there is no Redis (adapter tests, `xiezuo ask`). */
export function replayGuardOf(services: { redis?: RedisClient; config: { REDIS_PREFIX: string } }, log: Logger): ReplayGuard | undefined {
  return services.redis ? new ReplayGuard(services.redis, services.config.REDIS_PREFIX, log) : undefined;
}
