/**
 * The reminders processor: a thin switch from the job's kind to the service that fires it.
 * Services decide whether the job is still current (generation and occurrence checks), so a
 * stale or duplicated job completes without sending anything.
 */
import type { Job } from 'bullmq';
import { bullmq } from '../src/store/bullmq.ts';
import type { ReminderJob } from '../src/scheduling/reminder-queue.ts';
import type { Services } from '../src/services.ts';
import { closeConnection, createBullConnection, redisTarget, reportErrors } from '../src/store/redis.ts';
import { REMINDERS_QUEUE, bullPrefix } from './queues.ts';
import type { RunningWorkers } from '../src/process.ts';
import { metrics, secondsSince } from '../src/metrics/metrics.ts';

export function remindProcessor(services: Pick<Services, 'meetings' | 'officeDeadlines'>) {
  const fire = (data: ReminderJob): Promise<string> => {
    switch (data.kind) {
      case 'meeting':
        return services.meetings.fireReminder(data);
      case 'advance':
        return services.meetings.advance(data);
      case 'deadline':
        return services.officeDeadlines.fireReminder(data);
    }
  };
  return async (job: Job<ReminderJob>): Promise<string> => {
    const lateness = secondsSince(job.timestamp + (job.opts.delay ?? 0));
    const result = await fire(job.data);
    metrics.reminders.inc({ kind: job.data.kind, result });
    if (result === 'sent') metrics.reminderLateness.observe({ kind: job.data.kind }, lateness);
    return result;
  };
}

/**
 * Start the reminders worker of this process, after re-creating any reminder jobs a crash may
 * have left unscheduled (idempotent: existing jobs are left as they are).
 */
export async function startReminderWorker(services: Services): Promise<RunningWorkers> {
  const log = services.log.child({ part: 'reminders' });
  try {
    const meetings = await services.meetings.reconcile();
    const deadlines = await services.officeDeadlines.reconcile();
    log.info('reminders reconciled', { meetings, deadlines });
  } catch (err) {
    // Redis down at start: the worker still starts and picks up jobs once Redis is back.
    log.warn('reminder reconcile failed', { err });
  }
  const connection = createBullConnection(redisTarget(services.config));
  reportErrors(connection, log, 'reminder worker');
  const worker = new (bullmq().Worker)(REMINDERS_QUEUE, remindProcessor(services), {
    connection,
    prefix: bullPrefix(services.config),
    // Firing a reminder is a few Redis calls and an enqueue; many can run at once so a burst
    // of reminders due in the same second is not serialised.
    concurrency: services.config.REMINDER_CONCURRENCY,
    // Firing takes milliseconds; a short lock means a reminder held by a crashed worker is
    // picked up again within seconds, not the default 30 s (the outbox ids prevent a double send).
    lockDuration: 10_000,
    stalledInterval: 5_000,
    maxStalledCount: 10,
  });
  reportErrors(worker, log, 'reminder worker');
  worker.on('failed', (job, err) => log.warn('reminder job failed', { id: job?.id, attempt: job?.attemptsMade, err }));
  return {
    workers: [worker],
    close: async () => {
      await worker.close();
      await closeConnection(connection);
    },
  };
}
