/**
 * The Outbox on BullMQ: one job per message in its platform's queue (jobs/queues.ts), job id =
 * message id (with ':' escaped, which BullMQ forbids in custom ids). Listeners registered here
 * are told of final outcomes by whichever process runs the worker, so every process that runs
 * workers must build the same services (createApp does).
 */
import type { Queue } from 'bullmq';
import { bullmq } from '../store/bullmq.ts';
import type { RedisClient } from '../store/redis.ts';
import { reportErrors } from '../store/redis.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Platform } from '../messages.ts';
import { DELIVERY_PLATFORMS, PRIORITY, bullPrefix, deliveryJobOptions, deliveryQueueName } from '../../jobs/queues.ts';
import type { DeliveryListener, DeliveryOutcome, EnqueueOptions, OriginKind, Outbox, OutgoingMessage } from './outbox.ts';

/** Message id → BullMQ job id: ':' is not allowed there, so escape '%' and ':' reversibly. */
export function jobIdFor(messageId: string): string {
  return messageId.replace(/%/g, '%25').replace(/:/g, '%3A');
}

const BULK = 500;

export interface BullOutboxOptions {
  /** BullMQ producer connection. */
  connection: RedisClient;
  config: Config;
  log: Logger;
  now: () => number;
}

export class BullOutbox implements Outbox {
  private readonly listeners = new Map<OriginKind, DeliveryListener>();
  private readonly queues = new Map<Platform, Queue>();

  private readonly connection: RedisClient;
  private readonly config: Config;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(o: BullOutboxOptions) {
    this.connection = o.connection;
    this.config = o.config;
    this.log = o.log;
    this.now = o.now;
  }

  /** The platform's delivery queue (created on first use, shared by the process). */
  queue(platform: Platform): Queue {
    let q = this.queues.get(platform);
    if (!q) {
      q = new (bullmq().Queue)(deliveryQueueName(platform), {
        connection: this.connection,
        prefix: bullPrefix(this.config),
        defaultJobOptions: deliveryJobOptions(this.config),
      });
      reportErrors(q, this.log, `queue ${deliveryQueueName(platform)}`);
      this.queues.set(platform, q);
    }
    return q;
  }

  async enqueue(messages: OutgoingMessage[], opts: EnqueueOptions = {}): Promise<void> {
    const priority = PRIORITY[opts.priority ?? 'normal'];
    const delay = opts.notBefore ? Math.max(0, opts.notBefore - this.now()) : 0;
    for (const platform of DELIVERY_PLATFORMS) {
      const mine = messages.filter((m) => m.to.platform === platform);
      for (let i = 0; i < mine.length; i += BULK) {
        const chunk = mine.slice(i, i + BULK);
        await this.queue(platform).addBulk(
          chunk.map((m) => ({
            name: m.origin.kind,
            data: m,
            opts: { jobId: jobIdFor(m.id), priority, ...(delay ? { delay } : {}) },
          })),
        );
      }
    }
  }

  listen(kind: OriginKind, listener: DeliveryListener): void {
    this.listeners.set(kind, listener);
  }

  /** Whether the origin kind's listener still wants this message sent (no listener or no check: yes). */
  async isCurrent(m: OutgoingMessage): Promise<boolean> {
    const l = this.listeners.get(m.origin.kind);
    return l?.isCurrent ? l.isCurrent(m) : true;
  }

  /** Hand a final outcome to the origin kind's listener (none registered: logged only). */
  async report(m: OutgoingMessage, outcome: DeliveryOutcome): Promise<void> {
    const l = this.listeners.get(m.origin.kind);
    if (!l) {
      this.log.debug('delivery outcome without listener', { id: m.id, kind: m.origin.kind, status: outcome.status });
      return;
    }
    await l.onOutcome(m, outcome);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
