/**
 * Escalation as BullMQ delayed jobs: one job per alert and step with a stable id, so scheduling
 * twice never makes two, and acknowledgement removes them by id. Removal is best effort (a job
 * already running cannot be removed): the processor re-checks the alert atomically before taking
 * a step (AlertStore.claimStep), so a stale job — even one that outlived a worker restart — never
 * escalates an acknowledged alert.
 */
import type { ConnectionOptions, Queue } from 'bullmq';
import { bullmq } from '../store/bullmq.ts';
import { ESCALATION_QUEUE, escalationJobOptions } from '../../jobs/queues.ts';
import type { EscalationScheduler } from './service.ts';

export interface EscalationJob {
  alertId: string;
  step: number;
}

/** Job ids may not contain ':' either. */
export function escalationJobId(alertId: string, step: number): string {
  return `esc-${alertId}-${step}`;
}

export class EscalationQueue implements EscalationScheduler {
  private built: Queue<EscalationJob> | undefined;

  /** `onBuilt` sees the queue when it is built (on first use, so BullMQ loads after the bot's first answer). */
  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
    private readonly onBuilt?: (queue: Queue<EscalationJob>) => void,
  ) {}

  get queue(): Queue<EscalationJob> {
    if (!this.built) {
      const { Queue } = bullmq();
      this.built = new Queue<EscalationJob>(ESCALATION_QUEUE, { connection: this.connection, prefix: this.prefix });
      this.onBuilt?.(this.built);
    }
    return this.built;
  }

  async schedule(alertId: string, step: number, delayMs: number): Promise<void> {
    await this.queue.add(
      'escalate',
      { alertId, step },
      { ...escalationJobOptions, jobId: escalationJobId(alertId, step), delay: Math.max(0, delayMs) },
    );
  }

  async cancel(alertId: string, steps: number): Promise<void> {
    for (let s = 1; s <= steps; s++) await this.queue.remove(escalationJobId(alertId, s));
  }

  async close(): Promise<void> {
    await this.built?.close();
  }
}
