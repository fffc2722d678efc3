/**
 * Per-destination rate limits in Redis. Open-source BullMQ only limits a whole queue (per-group
 * limits are a paid add-on; BullMQ issues #1510, #2269), so the per-chat and per-channel limits
 * are sliding-window logs here: one sorted set of send times per bucket, checked and recorded
 * atomically in Lua (inside the send gate of src/delivery/sent-markers.ts), so any number of
 * workers share them. A 429 from the platform also blocks the destination for the wait it names.
 *
 * Windows are strict (at most `limit` sends in any window of `windowMs`) plus a guard margin, so
 * jitter between our clock and the platform's arrival times never packs one more in.
 */
import type { RedisClient } from '../store/redis.ts';
import type { Config } from '../config.ts';
import { type Destination, destinationKey } from '../messages.ts';
import { destinationKeyspace } from '../store/keys.ts';

interface Bucket {
  /** Bucket name under the destination's keyspace: `chat` or `group`. */
  name: string;
  limit: number;
  windowMs: number;
}

/** Keys and arguments for the Lua `acquire`: the block key, then one zset per bucket. */
export interface BucketKeys {
  keys: string[];
  /** member, then (limit, window) per bucket. */
  args: string[];
}

/** The buckets one send to `to` must fit in. Telegram group chats have negative ids. */
function bucketsFor(to: Destination, config: Config): Bucket[] {
  if (!config.DELIVERY_LIMITS) return [];
  const guard = config.DELIVERY_WINDOW_GUARD_MS;
  const out: Bucket[] = [];
  const push = (name: string, limit: number, windowMs: number) => {
    if (limit > 0) out.push({ name, limit, windowMs: windowMs + guard });
  };
  if (to.platform === 'telegram') {
    push('chat', config.DELIVERY_TELEGRAM_CHAT_LIMIT, config.DELIVERY_TELEGRAM_CHAT_WINDOW_MS);
    if (to.chatId.startsWith('-')) push('group', config.DELIVERY_TELEGRAM_GROUP_LIMIT, config.DELIVERY_TELEGRAM_GROUP_WINDOW_MS);
  } else if (to.platform === 'slack') {
    push('chat', config.DELIVERY_SLACK_CHANNEL_LIMIT, config.DELIVERY_SLACK_CHANNEL_WINDOW_MS);
  }
  return out;
}

/**
 * Lua function `acquire(k, a)`: KEYS[k] is the block key, KEYS[k+1..] the bucket zsets;
 * ARGV[a] the member, ARGV[a+1..] (limit, window) pairs. Returns 0 when a slot was taken in
 * every bucket, else the ms to wait (nothing recorded). Uses Redis's clock, so every worker on
 * every machine measures windows alike.
 */
export const LIMITS_LUA = `
local function acquire(k, a)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local wait = 0
  local blocked = redis.call('PTTL', KEYS[k])
  if blocked > 0 then wait = blocked end
  local n = #KEYS - k
  for i = 1, n do
    local key = KEYS[k + i]
    local limit = tonumber(ARGV[a + 2 * i - 1])
    local window = tonumber(ARGV[a + 2 * i])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local c = redis.call('ZCARD', key)
    if c >= limit then
      local oldest = redis.call('ZRANGE', key, c - limit, c - limit, 'WITHSCORES')
      local w = tonumber(oldest[2]) + window - now + 1
      if w > wait then wait = w end
    end
  end
  if wait > 0 then return wait end
  for i = 1, n do
    redis.call('ZADD', KEYS[k + i], now, ARGV[a] .. ':' .. now)
    redis.call('PEXPIRE', KEYS[k + i], tonumber(ARGV[a + 2 * i]))
  end
  return 0
end
`;

/**
 * Every limit key of a destination — and its sent-markers (src/delivery/sent-markers.ts) — share
 * the destination's hash tag, so the send gate touches one Cluster slot (src/store/keys.ts).
 */
export function destinationKeys(prefix: string, to: Destination): (...parts: string[]) => string {
  return destinationKeyspace(prefix, destinationKey({ platform: to.platform, chatId: to.chatId }));
}

export class RateLimits {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly config: Config,
  ) {}

  /** The Lua keys/args for one send of `messageId` to `to`. */
  keysFor(to: Destination, messageId: string): BucketKeys {
    const key = destinationKeys(this.prefix, to);
    const buckets = bucketsFor(to, this.config);
    return {
      keys: [key('block'), ...buckets.map((b) => key(b.name))],
      args: [messageId, ...buckets.flatMap((b) => [String(b.limit), String(b.windowMs)])],
    };
  }

  /** The platform said "retry after": hold every send to this chat for that long. */
  async block(to: Destination, ms: number): Promise<void> {
    const k = destinationKeys(this.prefix, to)('block');
    // Keep the longer of an existing block and this one.
    const left = await this.redis.pttl(k);
    if (left < ms) await this.redis.set(k, '1', 'PX', Math.max(1, Math.ceil(ms)));
  }
}
