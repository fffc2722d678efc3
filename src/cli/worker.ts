/**
 * `xiezuo worker`: a process that only runs the background workers (delivery, and whatever other
 * job families registered). Any number may run against one Redis; SIGINT/SIGTERM close them
 * gracefully (active jobs finish), and a SIGKILL loses nothing (stalled jobs are taken over).
 */
import type { RedisClient } from '../store/redis.ts';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger, logStrayRejections } from '../log.ts';
import { createPlatformSenders } from '../platforms/senders.ts';
import type { Senders } from '../delivery/sender.ts';
import { startWorkers } from '../../jobs/worker.ts';
import { closeWithin } from './shutdown.ts';
import { describeTarget, redisTarget } from '../store/redis.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { RunningWorkers } from '../process.ts';
import { HttpServer } from '../http/server.ts';
import { redisHealth } from '../http/redis-health.ts';
import { serveMetrics } from '../http/metrics.ts';

/**
 * A worker's own small HTTP server: /healthz (Redis, workers running) and /metrics. A port
 * already taken (a second worker on one host with the same WORKER_HTTP_PORT) costs that worker
 * its endpoint, never its work.
 */
async function workerHttp(config: Config, redis: RedisClient, running: RunningWorkers, log: Logger): Promise<{ port: number | undefined; close(): Promise<void> }> {
  const http = new HttpServer(log.child({ part: 'http' }));
  http.addHealthCheck('redis', redisHealth(redis));
  http.addHealthCheck('workers', () => {
    const up = running.workers.filter((w) => w.isRunning()).length;
    return { ok: up === running.workers.length && up > 0, state: `${up}/${running.workers.length} running` };
  });
  const metrics = serveMetrics(http, config, redis, log.child({ part: 'metrics' }));
  try {
    await http.listen(config.WORKER_HTTP_PORT, config.HTTP_HOST);
  } catch (err) {
    log.warn('worker http disabled', { host: config.HTTP_HOST, port: config.WORKER_HTTP_PORT, err });
  }
  return {
    get port() {
      return http.port;
    },
    close: async () => {
      await http.close();
      await metrics.close();
    },
  };
}

export async function main(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, {}, { format: config.LOG_FORMAT });
  logStrayRejections(log);
  const senders: Senders = {};
  const app = await createApp(config, { log, senders });
  // Senders need the app's Redis (Telegram button store), so they are filled in afterwards.
  Object.assign(senders, createPlatformSenders(config, { redis: app.services.redis, console: true, log }));
  const running = await startWorkers(app.services);
  const http = await workerHttp(config, app.services.redis, running, log);
  log.info('xiezuo worker started', {
    platforms: Object.keys(senders),
    concurrency: config.DELIVERY_CONCURRENCY,
    http: http.port ?? 'off',
    redis: describeTarget(redisTarget(config)),
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log.info('worker shutting down');
  await closeWithin(async () => {
    await http.close();
    await running.close();
    await app.close();
  }, log, 0);
  return 0;
}
