/**
 * What meetings and office deadlines share: both keep JSON records with a generation, remind a
 * channel group through delivery, let delivery ask before each send whether a queued reminder is
 * still wanted, and re-create their timer jobs at worker start.
 */
import type { RedisClient } from '../store/redis.ts';
import type { Clock } from '../clock.ts';
import type { Origin, OriginKind, Outbox, OutgoingMessage } from '../delivery/outbox.ts';
import type { Logger } from '../log.ts';
import { type Destination, type Platform, type Reply, destinationKey } from '../messages.ts';
import type { ReminderTimers } from './reminder-queue.ts';
import { reachable } from '../groups/destinations.ts';

/** The slice of the channel-group service reminders need: resolve a group name to its chats. */
export interface GroupLookup {
  get(name: string): Promise<{ name: string; destinations: Destination[] } | undefined | null>;
  /** Platforms this deployment sends to; absent: every platform (tests with recording outboxes). */
  platforms?(): ReadonlySet<Platform>;
}

/** What a reminder-owning service is built from. */
export interface ReminderOwnerOptions {
  redis: RedisClient;
  prefix: string;
  timers: ReminderTimers;
  outbox: Outbox;
  groups: GroupLookup;
  clock: Clock;
  log: Logger;
}

/**
 * Removing timer jobs on move/cancel/done cannot reach messages already handed to delivery
 * (waiting on a rate bucket or a 429), so delivery asks `isCurrent` right before each send. An
 * undelivered reminder is worth an operator's attention (bot removed from the chat, chat gone);
 * delivered ones need no record beyond the sent-marker.
 */
export function listenForReminders(
  o: Pick<ReminderOwnerOptions, 'outbox' | 'log'>,
  kind: OriginKind,
  isCurrent: (m: OutgoingMessage) => Promise<boolean>,
): void {
  o.outbox.listen(kind, {
    isCurrent,
    onOutcome: async (m, out) => {
      if (out.status === 'failed') o.log.warn('reminder not delivered', { kind, id: m.id, owner: m.origin.id, reason: out.reason });
    },
  });
}

/**
 * One message per chat of the group that this deployment can reach; chats on other platforms
 * (the seed's console placeholders) are logged, not queued to wait for ever. `idPrefix` must
 * name everything that makes the message distinct (owner, generation, occurrence, offset), so a
 * retried or duplicated job never sends twice. Answers how many messages were queued.
 */
export async function sendToGroup(
  o: Pick<ReminderOwnerOptions, 'outbox' | 'groups' | 'log'>,
  destinations: readonly Destination[],
  idPrefix: string,
  reply: Reply,
  origin: Origin,
): Promise<number> {
  const to = reachable(destinations, o.groups.platforms?.());
  if (to.length < destinations.length)
    o.log.warn('reminder: chats on platforms this deployment does not send to', {
      owner: origin.id,
      skipped: destinations.filter((d) => !to.includes(d)).map(destinationKey),
    });
  if (!to.length) return 0;
  await o.outbox.enqueue(
    to.map((d) => ({ id: `${idPrefix}:${destinationKey(d)}`, to: d, reply, origin })),
    { priority: 'normal' },
  );
  return to.length;
}

/** Re-create the timer jobs of every live record (worker start: covers a crash between storing and scheduling). */
export async function reconcileAll<T>(records: readonly T[], schedule: (r: T) => Promise<unknown>): Promise<number> {
  let n = 0;
  for (const r of records) {
    await schedule(r);
    n++;
  }
  return n;
}
