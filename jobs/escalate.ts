/**
 * The escalation processor: when an alert's acknowledgement timeout passes, take the next step.
 * Thin on purpose — AlertService.escalate re-checks the alert atomically, so a stale job (an
 * acknowledgement whose job removal raced, a job that outlived a worker restart) stands down.
 */
import type { ConnectionOptions, Job, Worker } from 'bullmq';
import { bullmq } from '../src/store/bullmq.ts';
import type { EscalationJob } from '../src/alerts/escalation.ts';
import { ESCALATION_QUEUE } from './queues.ts';
import type { Services } from '../src/services.ts';
import { closeConnection, createBullConnection, redisTarget, reportErrors } from '../src/store/redis.ts';
import { bullPrefix } from './queues.ts';
import type { RunningWorkers } from '../src/process.ts';

export function escalationProcessor(services: Pick<Services, 'alerts' | 'log'>) {
  return async (job: Job<EscalationJob>): Promise<boolean> => {
    const { alertId, step } = job.data;
    const taken = await services.alerts.escalate(alertId, step);
    services.log.info('alert escalation job', { alert: alertId, step, taken, job: job.id });
    return taken;
  };
}

/** A worker for the escalation queue; any number may run against one Redis. */
export function startEscalationWorker(services: Pick<Services, 'alerts' | 'log' | 'config'>, connection: ConnectionOptions): Worker<EscalationJob> {
  const { Worker } = bullmq();
  const worker = new Worker<EscalationJob>(ESCALATION_QUEUE, escalationProcessor(services), {
    connection,
    prefix: bullPrefix(services.config),
    concurrency: 4,
  });
  reportErrors(worker, services.log, 'escalation worker');
  return worker;
}

/** The WorkerStarter jobs/worker.ts runs in every worker process. */
export async function escalationWorkers(services: Services): Promise<RunningWorkers> {
  const connection = createBullConnection(redisTarget(services.config));
  reportErrors(connection, services.log, 'escalation worker');
  const worker = startEscalationWorker(services, connection);
  // A job lost in a failover would leave an alert unescalated for good; re-arming is idempotent.
  try {
    const rearmed = await services.alerts.rearmEscalations();
    if (rearmed) services.log.info('alert escalations re-armed at worker start', { alerts: rearmed });
  } catch (err) {
    services.log.warn('alert escalations not re-armed at worker start', { err });
  }
  return {
    workers: [worker],
    close: async () => {
      await worker.close();
      await closeConnection(connection);
    },
  };
}
