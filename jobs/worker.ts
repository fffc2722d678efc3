/**
 * Starts the delivery workers of one process: one BullMQ Worker per platform queue, with the
 * platform's per-bot rate as the queue-wide limiter, after re-enqueueing the deliveries of any
 * broadcast a crash left half-enqueued. Used by `xiezuo worker` and, unless
 * WORKERS=0, by `xiezuo start`. Any number of processes may run them against one Redis: each
 * consumes only the queues of platforms it has a sender for, so a process without the Slack
 * token never takes (and fails) a Slack message another process could send.
 */
import type { Worker } from 'bullmq';
import { bullmq } from '../src/store/bullmq.ts';
import type { Platform } from '../src/messages.ts';
import type { Services } from '../src/services.ts';
import type { RunningWorkers, StartHook } from '../src/process.ts';
import { closeConnection, createBullConnection, redisTarget, reportErrors } from '../src/store/redis.ts';
import { Courier } from '../src/delivery/courier.ts';
import { DELIVERY_PLATFORMS, bullPrefix, deliveryQueueName, platformRate } from './queues.ts';
import { deliverProcessor } from './deliver.ts';
import { startReminderWorker } from './remind.ts';
import { escalationWorkers } from './escalate.ts';
import { metrics } from '../src/metrics/metrics.ts';

export type WorkerStarter = (services: Services) => Promise<RunningWorkers>;

/** How often a process looks for a platform sender registered after its workers started. */
const SENDER_WATCH_MS = 500;

/** Other job families (reminders, escalations) register their starters here. */
const extraStarters: WorkerStarter[] = [];
export function registerWorkers(start: WorkerStarter): void {
  extraStarters.push(start);
}
registerWorkers(escalationWorkers);

export async function startDeliveryWorkers(services: Services): Promise<RunningWorkers> {
  const { config } = services;
  const courier = new Courier({
    senders: services.senders,
    markers: services.sentMarkers,
    limits: services.rateLimits,
    report: (m, o) => services.outbox.report(m, o),
    isCurrent: (m) => services.outbox.isCurrent(m),
    log: services.log.child({ part: 'delivery' }),
    now: () => services.clock.now(),
    claimMs: config.DELIVERY_LOCK_MS * 2,
  });
  const processor = deliverProcessor(courier);
  try {
    const broadcasts = await services.broadcasts.reconcile();
    if (broadcasts) services.log.info('broadcasts reconciled', { broadcasts });
  } catch (err) {
    // Redis down at start: the workers still start; the next start reconciles.
    services.log.warn('broadcast reconcile failed', { err });
  }
  const workers: Worker[] = [];
  const connections: ReturnType<typeof createBullConnection>[] = [];
  const startFor = (platform: Platform): void => {
    const rate = platformRate(config, platform);
    // The per-bot rate in short windows (25/s → 2 per 80 ms): a one-second window lets a backlog
    // spend the whole second's budget at its start, and an alert arriving then would wait for
    // the next window (measured: ~950 ms p99 behind a 10,000-message backlog vs ~75 ms).
    const max = rate ? Math.max(1, Math.floor(rate / 10)) : undefined;
    const connection = createBullConnection(redisTarget(config));
    reportErrors(connection, services.log, `delivery worker ${platform}`);
    connections.push(connection);
    const w = new (bullmq().Worker)(deliveryQueueName(platform), processor, {
      connection,
      prefix: bullPrefix(config),
      concurrency: config.DELIVERY_CONCURRENCY,
      lockDuration: config.DELIVERY_LOCK_MS,
      stalledInterval: config.DELIVERY_LOCK_MS,
      // A worker crash is not the message's fault: never fail a job for stalling.
      maxStalledCount: 1000,
      ...(rate && max ? { limiter: { max, duration: Math.round((1000 * max) / rate) } } : {}),
    });
    reportErrors(w, services.log, `delivery worker ${platform}`);
    w.on('failed', (job, err) => {
      if (job && job.attemptsMade < (job.opts.attempts ?? 1) && !(err.name === 'UnrecoverableError'))
        services.log.info('delivery retry', { id: job.data.id, attempt: job.attemptsMade, reason: err.message });
    });
    workers.push(w);
  };
  // Adapters may register their sender after the workers start (the shared Senders object is
  // filled in as they come up): a platform's queue is taken up as soon as its sender exists.
  const pending = new Set(DELIVERY_PLATFORMS);
  const takeUp = (): void => {
    for (const p of [...pending]) {
      if (!services.senders[p]) continue;
      pending.delete(p);
      startFor(p);
    }
  };
  takeUp();
  services.log.info('delivery workers', { platforms: DELIVERY_PLATFORMS.filter((p) => !pending.has(p)), waiting: [...pending] });
  const watch = setInterval(() => {
    takeUp();
    if (!pending.size) clearInterval(watch);
  }, SENDER_WATCH_MS);
  watch.unref();
  return {
    workers,
    close: async () => {
      clearInterval(watch);
      await Promise.all(workers.map((w) => w.close()));
      // Workers do not close connections they were handed.
      await Promise.all(connections.map(closeConnection));
    },
  };
}

/** Finished jobs per queue; a failure with attempts left is a retry, not an outcome. */
function countJobs(w: Worker): void {
  w.on('completed', () => metrics.jobs.inc({ queue: w.name, outcome: 'completed' }));
  w.on('failed', (job, err) => {
    const final = !job || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.jobs.inc({ queue: w.name, outcome: final ? 'failed' : 'retried' });
  });
}

/** Every worker this process runs: delivery plus whatever other job families registered. */
export async function startWorkers(services: Services): Promise<RunningWorkers> {
  const all = [await startDeliveryWorkers(services), await startReminderWorker(services)];
  for (const s of extraStarters) all.push(await s(services));
  const workers = all.flatMap((r) => r.workers);
  for (const w of workers) countJobs(w);
  metrics.workersRunning.inc(workers.length);
  return {
    workers,
    close: async () => {
      metrics.workersRunning.dec(workers.length);
      await Promise.all(all.map((r) => r.close()));
    },
  };
}

/** Runs the workers inside `xiezuo start` unless WORKERS=0. */
export const workersHook: StartHook = {
  name: 'workers',
  async start(ctx) {
    if (!ctx.config.WORKERS) return;
    const running = await startWorkers(ctx.app.services);
    return () => running.close();
  },
};
