/**
 * Per-chat order of handling across bot processes behind a load balancer (webhook mode).
 *
 * A lock alone would not keep order: two updates of one chat reaching two processes would both
 * wait for it, and whichever got it first would go first. So the order is fixed where the
 * updates enter, in Redis, and the handling follows it:
 *
 * 1. The webhook request runs one script on the chat's keys: claim the update id (SET NX — a
 *    replay, to any process, is dropped here), append the update to the chat's list, and take
 *    the chat's lease if nobody holds it. Then it answers 200 at once.
 * 2. Whoever holds the lease (SET NX PX with a token of its own, renewed while it works) drains
 *    the list from its head: handle the head, then one script pops it — only if it is still the
 *    head — and returns the next one, or, when the list is empty, deletes the lease in the same
 *    step. Because appending and "empty, so release" are each atomic in Redis, an update is never
 *    left behind by a drainer that just stopped: either it sees the update, or the appender
 *    finds the lease free and drains itself.
 * 3. A drainer that dies loses its lease after LEASE_MS; a sweep in every process picks up
 *    chats with queued updates and no lease, so another process goes on from the head.
 *
 * The guarantee: one chat's updates are handled one at a time, in the order Redis accepted their
 * appends. Telegram sends a chat's next update after our 200 for the previous one (and resends
 * one that failed), and we answer 200 only after the append — so for updates Telegram sends one
 * after another, Redis's order is Telegram's order. Updates Telegram has in flight together
 * (several webhook connections) keep the order in which they reached Redis, which is all any
 * receiver can know. Handling is at least once: the head is popped after it is handled, so a
 * process dying mid-update (or losing its lease to a pause longer than LEASE_MS) has that one
 * update handled again by the next drainer.
 *
 * The list keys share the chat's hash tag (src/store/keys.ts), so every script touches one slot.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import { inboxKeyspace, keyspace } from '../store/keys.ts';
import type { RedisClient } from '../store/redis.ts';
import { REPLAY_WINDOW_S } from './replay.ts';

/** How long a drainer may go silent before another process takes over its chat. */
const LEASE_MS = 10_000;
/** How often each process looks for chats a dead drainer left behind. */
const SWEEP_MS = 2_000;
/** Chats looked at per sweep. */
const SWEEP_BATCH = 100;

// KEYS: seen, list, lease.  ARGV: replay window s, payload, token, lease ms.
// → 0 replayed; 1 queued (a drainer is at work); 2 queued and the lease is ours.
const ACCEPT = `
if not redis.call('SET', KEYS[1], '1', 'EX', ARGV[1], 'NX') then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
if redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4], 'NX') then return 2 end
return 1
`;

// KEYS: list, lease.  ARGV: token, lease ms.  → 0 nothing queued, 1 lease taken, -1 held by another.
const TAKE = `
if redis.call('LLEN', KEYS[1]) == 0 then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
return -1
`;

// KEYS: list, lease.  ARGV: the payload just handled ('' for none), token.
// → the next payload, or nil: the list is empty (lease deleted) or the lease is not ours.
const NEXT = `
if ARGV[1] ~= '' and redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then redis.call('LPOP', KEYS[1]) end
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return false end
local head = redis.call('LINDEX', KEYS[1], 0)
if not head then redis.call('DEL', KEYS[2]) end
return head
`;

// KEYS: lease.  ARGV: token, lease ms (0 = release).  → 1 when the lease was ours.
const KEEP = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

// KEYS: pending index.  ARGV: chat, score seen.  Forget a drained chat unless it was re-added since.
const FORGET = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`;

type Scripted = RedisClient & {
  xzChatAccept(...a: string[]): Promise<number>;
  xzChatTake(...a: string[]): Promise<number>;
  xzChatNext(...a: string[]): Promise<string | null>;
  xzChatKeep(...a: string[]): Promise<number>;
  xzChatForget(...a: string[]): Promise<number>;
};

function scripted(redis: RedisClient): Scripted {
  const r = redis as Scripted;
  if (typeof r.xzChatAccept !== 'function') {
    redis.defineCommand('xzChatAccept', { numberOfKeys: 3, lua: ACCEPT });
    redis.defineCommand('xzChatTake', { numberOfKeys: 2, lua: TAKE });
    redis.defineCommand('xzChatNext', { numberOfKeys: 2, lua: NEXT });
    redis.defineCommand('xzChatKeep', { numberOfKeys: 1, lua: KEEP });
    redis.defineCommand('xzChatForget', { numberOfKeys: 1, lua: FORGET });
  }
  return r;
}

export interface ChatQueueOptions {
  redis: RedisClient;
  prefix: string;
  /** Whose updates: `telegram:<bot id>` — update ids are unique per bot. */
  source: string;
  log: Logger;
  /** Handles one update; should not throw (a throw is logged and the update counts as handled). */
  handle: (payload: string) => Promise<void>;
  leaseMs?: number;
  sweepMs?: number;
}

export class ChatQueue {
  private readonly redis: Scripted;
  private readonly pending: string;
  private readonly leaseMs: number;
  private readonly drains = new Set<Promise<void>>();
  private sweeper: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly o: ChatQueueOptions) {
    this.redis = scripted(o.redis);
    this.pending = keyspace(o.prefix, 'inbox')('pending', o.source);
    this.leaseMs = o.leaseMs ?? LEASE_MS;
  }

  private keys(chat: string) {
    const k = inboxKeyspace(this.o.prefix, this.o.source, chat);
    return { list: k('q'), lease: k('lease'), seen: (id: string) => k('seen', id) };
  }

  /**
   * Claim update `id` of `chat` and queue it behind the chat's earlier ones; false when it was
   * seen before (a replay). Resolves once Redis holds it — answer the webhook then. Throws when
   * Redis cannot be reached: the caller handles the update itself.
   */
  async accept(chat: string, id: string, payload: string): Promise<boolean> {
    const k = this.keys(chat);
    const token = randomUUID();
    // Indexed first, so no queued chat is ever missing from the index the sweep reads.
    const [indexed, accepted] = await Promise.allSettled([
      this.redis.zadd(this.pending, Date.now(), chat),
      this.redis.xzChatAccept(k.seen(id), k.list, k.lease, String(REPLAY_WINDOW_S), payload, token, String(this.leaseMs)),
    ]);
    if (accepted.status === 'rejected') throw accepted.reason;
    // Queued but not indexed (on a Cluster the index may sit on a node that failed): the chat's
    // next update indexes it again; only a drainer dying before then would leave it waiting.
    if (indexed.status === 'rejected') this.o.log.warn('chat queue: index write failed', { err: indexed.reason, chat });
    if (accepted.value === 2) {
      // Shutting down: leave the chat to the other processes rather than start on it.
      if (this.stopping) await this.handBack(chat, token);
      else this.drain(chat, token);
    }
    return accepted.value !== 0;
  }

  /** Start sweeping for chats whose drainer died. */
  start(): void {
    if (this.sweeper) return;
    const sweepMs = this.o.sweepMs ?? SWEEP_MS;
    this.sweeper = setInterval(() => void this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  /** Stop sweeping; running drains finish their current update and hand their chat on. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await Promise.all([...this.drains]);
  }

  private async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const stale = await this.redis.zrangebyscore(this.pending, '-inf', Date.now() - this.leaseMs, 'WITHSCORES', 'LIMIT', 0, SWEEP_BATCH);
      for (let i = 0; i + 1 < stale.length; i += 2) {
        const chat = stale[i]!;
        const token = randomUUID();
        const k = this.keys(chat);
        const took = await this.redis.xzChatTake(k.list, k.lease, token, String(this.leaseMs));
        if (took === 1) {
          this.o.log.info('chat queue: taking over a chat left with queued updates', { chat });
          this.drain(chat, token);
        } else if (took === 0) {
          await this.redis.xzChatForget(this.pending, chat, stale[i + 1]!);
        } else {
          // Being drained: look again a lease from now, so a long backlog does not hide the rest.
          await this.redis.zadd(this.pending, 'XX', Date.now(), chat);
        }
      }
    } catch (err) {
      this.o.log.warn('chat queue sweep failed', { err });
    }
  }

  /** Give the chat's lease up and point the other processes' sweep at the chat now. */
  private async handBack(chat: string, token: string): Promise<void> {
    await this.redis.xzChatKeep(this.keys(chat).lease, token, '0');
    await this.redis.zadd(this.pending, 0, chat);
  }

  private drain(chat: string, token: string): void {
    const run = this.drainLoop(chat, token).finally(() => this.drains.delete(run));
    this.drains.add(run);
  }

  private async drainLoop(chat: string, token: string): Promise<void> {
    const { log, handle } = this.o;
    const k = this.keys(chat);
    const renew = setInterval(() => {
      this.redis.xzChatKeep(k.lease, token, String(this.leaseMs)).then(
        (ours) => {
          if (!ours) log.warn('chat queue: lease lost while handling; another process goes on', { chat });
        },
        (err: unknown) => log.warn('chat queue: lease renewal failed', { err, chat }),
      );
    }, Math.floor(this.leaseMs / 3));
    try {
      let head = await this.redis.xzChatNext(k.list, k.lease, '', token);
      while (head !== null) {
        try {
          await handle(head);
        } catch (err) {
          log.error('chat queue: update failed', { err, chat });
        }
        if (this.stopping) {
          await this.redis.xzChatNext(k.list, k.lease, head, token);
          await this.handBack(chat, token);
          return;
        }
        head = await this.redis.xzChatNext(k.list, k.lease, head, token);
      }
    } catch (err) {
      // The lease runs out and another process's sweep goes on from the head.
      log.warn('chat queue: draining stopped by a Redis error; the chat is taken over after its lease', { err, chat });
    } finally {
      clearInterval(renew);
    }
  }
}
