/**
 * GET /metrics in Prometheus text format, on the bot's HTTP server and on each worker's small one:
 * this process's series (src/metrics/metrics.ts), Node's process series, and the depth of every
 * queue of the deployment by state from BullMQ's own exportPrometheusMetrics. With METRICS_TOKEN
 * set, a scrape must send `Authorization: Bearer <token>`.
 */
import { bullmq } from '../store/bullmq.ts';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { enableProcessMetrics, registry, setRedisProbe } from '../metrics/metrics.ts';
import type { StartHook } from '../process.ts';
import { closeConnection, createBullConnection, redisTarget, reportErrors } from '../store/redis.ts';
import { ALL_QUEUES, bullPrefix } from '../../jobs/queues.ts';
import { authorised, parseTokenDigests, tokenDigest } from './alert-api.ts';
import { redisHealth } from './redis-health.ts';
import { HttpError, type HttpServer } from './server.ts';

/** A scrape must not hang on a Redis that is gone: queue depths are left out after this. */
const QUEUE_SCRAPE_TIMEOUT_MS = 2000;
/** BullMQ's family kept; its completed/failed totals need worker-side metrics collection, which is off. */
const KEPT_FAMILY = 'bullmq_job_count';

/**
 * BullMQ prints HELP/TYPE for every queue it exports; one exposition may declare a family only
 * once, so the samples of all queues are gathered under one header.
 */
function mergeQueueExports(texts: string[]): string {
  const header: string[] = [];
  const samples: string[] = [];
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const family = line.startsWith('#') ? line.split(' ')[2] : line.split(/[{ ]/)[0];
      if (family !== KEPT_FAMILY) continue;
      if (line.startsWith('#')) {
        if (!header.includes(line)) header.push(line);
        // BullMQ writes `, ` between labels; strict parsers want the bare comma of the format.
      } else samples.push(line.replace(/,\s+(?=[A-Za-z_][A-Za-z0-9_]*=")/g, ','));
    }
  }
  return samples.length ? `${[...header, ...samples].join('\n')}\n` : '';
}

export interface MetricsEndpoint {
  close(): Promise<void>;
}

/** Serve GET /metrics on `http` for a process whose command connection is `redis`. */
export function serveMetrics(http: HttpServer, config: Config, redis: Redis | undefined, log: Logger): MetricsEndpoint {
  enableProcessMetrics();
  const ping = redisHealth(redis);
  setRedisProbe(async () => (await ping()).ok);
  const connection = createBullConnection(redisTarget(config));
  reportErrors(connection, log, 'metrics');
  const queues = ALL_QUEUES.map((name) => new (bullmq().Queue)(name, { connection, prefix: bullPrefix(config) }));
  const digests = config.METRICS_TOKEN ? parseTokenDigests(tokenDigest(config.METRICS_TOKEN)) : [];

  const queueDepths = async (): Promise<string> => {
    if (connection.status !== 'ready') return '';
    let timer: NodeJS.Timeout | undefined;
    try {
      const texts = await Promise.race([
        Promise.all(queues.map((q) => q.exportPrometheusMetrics())),
        new Promise<string[]>((resolve) => {
          timer = setTimeout(() => resolve([]), QUEUE_SCRAPE_TIMEOUT_MS);
        }),
      ]);
      return mergeQueueExports(texts);
    } catch (err) {
      log.warn('queue metrics unavailable', { err });
      return '';
    } finally {
      clearTimeout(timer);
    }
  };

  http.route('GET', '/metrics', async (req) => {
    if (digests.length && !authorised(req.header('authorization'), digests)) {
      throw new HttpError(401, 'unauthorized');
    }
    const [own, depths] = await Promise.all([registry.metrics(), queueDepths()]);
    return { status: 200, body: own + depths, headers: { 'content-type': registry.contentType } };
  });

  return {
    close: async () => {
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      await closeConnection(connection);
    },
  };
}

/** GET /metrics on the bot's HTTP server. */
export const metricsHook: StartHook = {
  name: 'metrics',
  async start(ctx) {
    const endpoint = serveMetrics(ctx.http, ctx.config, ctx.app.services.redis, ctx.log.child({ part: 'metrics' }));
    return () => endpoint.close();
  },
};
