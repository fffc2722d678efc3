/**
 * Every queue of the deployment (its REDIS_PREFIX), opened on a connection of their own for the
 * parts that only look at them: /metrics (queue depths) and the /admin/queues dashboard.
 */
import type { Queue } from 'bullmq';
import { bullmq } from '../store/bullmq.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { closeConnection, createBullConnection, redisTarget, reportErrors } from '../store/redis.ts';
import { ALL_QUEUES, bullPrefix } from '../../jobs/queues.ts';

export interface AllQueues {
  queues: Queue[];
  /** Whether the connection is up: a reader skips the queues rather than wait on a Redis that is gone. */
  ready(): boolean;
  close(): Promise<void>;
}

export function openAllQueues(config: Config, log: Logger, part: string): AllQueues {
  const connection = createBullConnection(redisTarget(config));
  reportErrors(connection, log, part);
  const queues = ALL_QUEUES.map((name) => new (bullmq().Queue)(name, { connection, prefix: bullPrefix(config) }));
  return {
    queues,
    ready: () => connection.status === 'ready',
    async close() {
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      await closeConnection(connection);
    },
  };
}
