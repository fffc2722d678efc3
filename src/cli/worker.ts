/**
 * `xiezuo worker`: a process that only runs the background workers (delivery, and whatever other
 * job families registered). Any number may run against one Redis; SIGINT/SIGTERM close them
 * gracefully (active jobs finish), and a SIGKILL loses nothing (stalled jobs are taken over).
 */
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger, logStrayRejections } from '../log.ts';
import { createPlatformSenders } from '../platforms/senders.ts';
import type { Senders } from '../delivery/sender.ts';
import { startWorkers } from '../../jobs/worker.ts';
import { closeWithin } from './shutdown.ts';
import { describeTarget, redisTarget } from '../store/redis.ts';

export async function main(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  logStrayRejections(log);
  const senders: Senders = {};
  const app = await createApp(config, { log, senders });
  // Senders need the app's Redis (Telegram button store), so they are filled in afterwards.
  Object.assign(senders, createPlatformSenders(config, { redis: app.services.redis, console: true, log }));
  const running = await startWorkers(app.services);
  log.info('xiezuo worker started', { platforms: Object.keys(senders), concurrency: config.DELIVERY_CONCURRENCY, redis: describeTarget(redisTarget(config)) });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log.info('worker shutting down');
  await closeWithin(async () => {
    await running.close();
    await app.close();
  }, log, 0);
  return 0;
}
