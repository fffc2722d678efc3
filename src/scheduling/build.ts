/**
 * Builds the two services that schedule reminders — joint meetings and office deadlines — over
 * their shared reminders queue, for createApp. One function so the composition root stays a
 * few lines per domain.
 */
import type { Queue } from 'bullmq';
import type { RedisClient } from '../store/redis.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Outbox } from '../delivery/outbox.ts';
import type { Logger } from '../log.ts';
import { reportErrors } from '../store/redis.ts';
import { type SourceResolver, loadTemplates, resolveTemplates } from './templates.ts';
import { Meetings } from './meetings.ts';
import type { GroupLookup } from './reminders.ts';
import { OfficeDeadlines } from './office-deadlines.ts';
import { QueueReminderTimers, createReminderQueue } from './reminder-queue.ts';

export interface SchedulingDeps {
  config: Config;
  seedsDir: string;
  redis: RedisClient;
  bullConnection: RedisClient;
  clock: Clock;
  log: Logger;
  groups: GroupLookup;
  outbox: Outbox;
  /** Resolves the templates' sources to clauses (knowledge). */
  knowledge: SourceResolver;
}

export async function buildScheduling(d: SchedulingDeps): Promise<{
  meetings: Meetings;
  officeDeadlines: OfficeDeadlines;
  close(): Promise<void>;
}> {
  // The queue is built on first use, so BullMQ loads after the bot's first answer (bullmq.ts).
  let queue: Queue | undefined;
  const reminders = (): Queue => {
    if (!queue) {
      queue = createReminderQueue(d.bullConnection, d.config);
      reportErrors(queue, d.log, 'queue reminders');
    }
    return queue;
  };
  const timers = new QueueReminderTimers(reminders, d.clock);
  const common = { redis: d.redis, prefix: d.config.REDIS_PREFIX, timers, outbox: d.outbox, groups: d.groups, clock: d.clock };
  const meetings = new Meetings({
    ...common,
    log: d.log.child({ part: 'meetings' }),
    displayZone: d.config.TIMEZONE,
    templates: resolveTemplates(await loadTemplates(d.seedsDir), d.knowledge),
  });
  // Each registers its own delivery listener (outcomes, and whether a queued reminder is still current).
  const officeDeadlines = new OfficeDeadlines({ ...common, log: d.log.child({ part: 'deadlines' }) });
  return { meetings, officeDeadlines, close: async () => queue?.close() };
}
