/**
 * Durable timers for meetings and office deadlines: BullMQ delayed jobs with ids derived from what
 * they remind of, so scheduling the same reminder twice is a no-op and a move or cancel can find
 * and remove exactly the jobs it made obsolete. Delayed jobs live in Redis, so they outlive any
 * process, and Redis itself when it keeps an append-only file.
 *
 * Removing is best-effort (a job already running cannot be removed); correctness does not rest on
 * it — every job carries the generation it was made for and its processor does nothing when the
 * thing it reminds of has moved on.
 */
import type { Queue } from 'bullmq';
import { bullmq } from '../store/bullmq.ts';
import type { RedisClient } from '../store/redis.ts';
import { REMINDERS_QUEUE, bullPrefix, reminderJobOptions } from '../../jobs/queues.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';

/** A reminder `offset` before a meeting occurrence. */
export interface MeetingReminderJob {
  kind: 'meeting';
  meetingId: string;
  generation: number;
  occurrence: number;
  offset: string;
}

/** At a recurring meeting's occurrence: move the series on and schedule the next reminders. */
export interface MeetingAdvanceJob {
  kind: 'advance';
  meetingId: string;
  generation: number;
  occurrence: number;
}

/** A reminder `offset` before an office deadline's due date. */
export interface DeadlineReminderJob {
  kind: 'deadline';
  deadlineId: string;
  generation: number;
  offset: string;
}

export type ReminderJob = MeetingReminderJob | MeetingAdvanceJob | DeadlineReminderJob;

/** The producer side of the reminders queue, under the deployment's BullMQ prefix. */
export function createReminderQueue(connection: RedisClient, config: Pick<Config, 'REDIS_PREFIX'>): Queue {
  return new (bullmq().Queue)(REMINDERS_QUEUE, { connection, prefix: bullPrefix(config) });
}

/** BullMQ rejects ':' in custom ids, so job ids use '.' between parts. */
function reminderJobId(job: ReminderJob): string {
  switch (job.kind) {
    case 'meeting':
      return `mr.${job.meetingId}.g${job.generation}.${job.occurrence}.${job.offset}`;
    case 'advance':
      return `ma.${job.meetingId}.g${job.generation}.${job.occurrence}`;
    case 'deadline':
      return `dr.${job.deadlineId}.g${job.generation}.${job.offset}`;
  }
}

export interface ReminderTimers {
  /** Schedule a job to run at instant `at` (now when `at` has passed); a no-op if it exists. */
  schedule(job: ReminderJob, at: number): Promise<void>;
  /** Remove scheduled jobs; ones already running or gone are left alone. */
  unschedule(jobs: ReminderJob[]): Promise<void>;
}

/** ReminderTimers on a BullMQ queue (asked for when first needed: see src/store/bullmq.ts). */
export class QueueReminderTimers implements ReminderTimers {
  constructor(
    private readonly reminders: () => Queue,
    private readonly clock: Clock,
  ) {}

  private get queue(): Queue {
    return this.reminders();
  }

  async schedule(job: ReminderJob, at: number): Promise<void> {
    const delay = Math.max(0, at - this.clock.now());
    await this.queue.add(job.kind, job, { ...reminderJobOptions, jobId: reminderJobId(job), delay });
  }

  async unschedule(jobs: ReminderJob[]): Promise<void> {
    // A job running right now is not removed (remove answers 0); the processor's generation
    // check makes it a no-op.
    for (const j of jobs) await this.queue.remove(reminderJobId(j));
  }
}
