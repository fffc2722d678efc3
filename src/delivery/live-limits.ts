/**
 * Telegram's limits for live replies (a command's answer, a button's reply) across every bot
 * process. Queued deliveries are paced by their queue's limiter and the send gate
 * (src/delivery/sent-markers.ts); a live reply used to go straight out, so two bot processes —
 * or one process answering while the workers broadcast to the same chat — could exceed 1/s in a
 * chat. Before each message a live reply now takes:
 *
 * - a slot in the destination's own buckets (`chat`, and `group` for groups) — the very buckets
 *   the send gate fills, so live replies and deliveries to one chat share its 1/s together, and
 *   a 429 block set by either holds both;
 * - a slot in the bot-wide window of live replies, DELIVERY_TELEGRAM_LIVE_PER_S per second.
 *   Queued deliveries keep their own DELIVERY_TELEGRAM_PER_S, so the bot's total stays at or
 *   below the sum of the two (25 + 5 = Telegram's 30/s by default).
 *
 * The windows must hold where Telegram counts — on arrival — not where we decide. Between taking
 * a slot and the message arriving lies our own process (a busy event loop, a GC pause) and the
 * network, and on a loaded machine that was measured at several hundred ms: a slot recorded at
 * decision time let two answers to one chat arrive 281 ms apart. So a slot is recorded as "on its
 * way" (a score HOLD_MS in the future: counted, never expired) until the send has completed,
 * and then at the completion time, which is no earlier than the arrival. A window then spans
 * from the previous message's completion, never from before its arrival, whatever the delay.
 * A message still on its way makes the next one look again after POLL_MS. (The send gate of the
 * delivery workers reads these entries as the same buckets; one on its way makes a delivery to
 * that chat wait at most HOLD_MS longer.)
 *
 * The two live in different hash slots (one chat's, the bot's), so they are two scripts: the
 * chat's first (the one that usually waits, when a chat asks faster than 1/s), then the bot's;
 * when the bot's window is full the chat's slot is given back.
 *
 * When Redis cannot be reached the reply goes out unpaced: a late 429 (which the answer retry
 * waits out) beats an answer never sent.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Destination } from '../messages.ts';
import { keyspace } from '../store/keys.ts';
import type { RedisClient } from '../store/redis.ts';
import { RateLimits } from './limits.ts';

/** How long a slot counts as "on its way" at most (a send that never reports back). */
const HOLD_MS = 2000;
/** How soon to look again when the slot to be freed belongs to a message still on its way. */
const POLL_MS = 50;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// KEYS: block, buckets…  ARGV: member, hold ms, (limit, window)…  → 0 (slots taken), or ms to wait.
// The sliding-window log of src/delivery/limits.ts, with slots on their way scored in the future.
const TAKE = `${NOW}
local wait = redis.call('PTTL', KEYS[1])
if wait < 0 then wait = 0 end
for i = 2, #KEYS do
  local limit, window = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local c = redis.call('ZCARD', KEYS[i])
  if c >= limit then
    local s = tonumber(redis.call('ZRANGE', KEYS[i], c - limit, c - limit, 'WITHSCORES')[2])
    local w = s + window - now + 1
    if s > now then w = ${POLL_MS} end
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) + tonumber(ARGV[2 * i]))
end
return 0
`;

// KEYS: buckets…  ARGV: member, window per bucket…  The message arrived: its slot counts from now.
const SENT = `${NOW}
for i = 1, #KEYS do
  if redis.call('ZSCORE', KEYS[i], ARGV[1]) then
    redis.call('ZADD', KEYS[i], now, ARGV[1])
    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i + 1]))
  end
end
return 1
`;

// KEYS: buckets…  ARGV: member.  The other window was full: give the slot back.
const GIVE_BACK = `
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`;

/** block + chat + group at most (src/delivery/limits.ts). */
const MAX_KEYS = 3;

type Scripted = RedisClient & {
  [name: `xzLive${'Take' | 'Sent' | 'GiveBack'}${number}`]: (...a: string[]) => Promise<number>;
};

function scripted(redis: RedisClient): Scripted {
  const r = redis as Scripted;
  // One command per key count: on a Cluster, auto-pipelining routes by the first argument,
  // which must be a key (as in sent-markers.ts).
  if (typeof r.xzLiveTake1 !== 'function') {
    for (let n = 1; n <= MAX_KEYS; n++) {
      redis.defineCommand(`xzLiveTake${n}`, { numberOfKeys: n, lua: TAKE });
      redis.defineCommand(`xzLiveSent${n}`, { numberOfKeys: n, lua: SENT });
      redis.defineCommand(`xzLiveGiveBack${n}`, { numberOfKeys: n, lua: GIVE_BACK });
    }
  }
  return r;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Window {
  /** The block key, then the bucket zsets. */
  keys: string[];
  /** (limit, window) per bucket. */
  args: string[];
}

export class LiveLimits {
  private readonly redis: Scripted;
  private readonly destinations: RateLimits;
  private readonly bot: Window | undefined;

  constructor(
    redis: RedisClient,
    prefix: string,
    config: Config,
    private readonly log: Logger,
    platform: 'telegram' = 'telegram',
  ) {
    this.redis = scripted(redis);
    this.destinations = new RateLimits(redis, prefix, config);
    const perS = config.DELIVERY_TELEGRAM_LIVE_PER_S;
    const key = keyspace(prefix, 'live');
    this.bot =
      config.DELIVERY_LIMITS && perS > 0
        ? { keys: [key(platform, 'block'), key(platform)], args: [String(perS), String(1000 + config.DELIVERY_WINDOW_GUARD_MS)] }
        : undefined;
  }

  /**
   * Send one message to `to` within the limits: waits for its slots, runs `send`, then dates
   * the slots at its completion.
   */
  async send<T>(to: Destination, send: () => Promise<T>): Promise<T> {
    const d = this.destinations.keysFor(to, '');
    const windows = [{ keys: d.keys, args: d.args.slice(1) }, ...(this.bot ? [this.bot] : [])];
    const member = await this.take(windows, to);
    try {
      return await send();
    } finally {
      if (member) await this.sent(windows, member, to);
    }
  }

  /** Waits until every window has a slot and takes them; undefined when Redis failed (unpaced). */
  private async take(windows: Window[], to: Destination): Promise<string | undefined> {
    try {
      for (;;) {
        const member = randomUUID();
        let wait = 0;
        const taken: Window[] = [];
        for (const w of windows) {
          wait = await this.redis[`xzLiveTake${w.keys.length}`]!(...w.keys, member, String(HOLD_MS), ...w.args).then(Number);
          if (wait > 0) break;
          taken.push(w);
        }
        if (wait === 0) return member;
        for (const w of taken) if (w.keys.length > 1) await this.redis[`xzLiveGiveBack${w.keys.length - 1}`]!(...w.keys.slice(1), member);
        await sleep(wait);
      }
    } catch (err) {
      this.log.warn('live reply limits unavailable; sending unpaced', { err, chat: to.chatId });
      return undefined;
    }
  }

  private async sent(windows: Window[], member: string, to: Destination): Promise<void> {
    try {
      for (const w of windows) {
        const buckets = w.keys.slice(1);
        const spans = buckets.map((_, i) => w.args[2 * i + 1]!);
        if (buckets.length) await this.redis[`xzLiveSent${buckets.length}`]!(...buckets, member, ...spans);
      }
    } catch (err) {
      // The slot stays "on its way" until HOLD_MS has passed: the chat waits a little longer.
      this.log.warn('live reply limits: dating a sent message failed', { err, chat: to.chatId });
    }
  }
}
