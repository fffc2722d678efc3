/**
 * The delivery processor: runs one Courier attempt and turns its answer into BullMQ's signals —
 * a wait moves the job to delayed without counting an attempt (per-chat buckets must not stall the
 * whole queue, so no queue-wide rateLimit here), a permanent failure ends the job unrecoverable,
 * a stale one (its origin moved on) completes unsent, a retryable one is rethrown so BullMQ retries it with exponential backoff.
 */
import type { Job } from 'bullmq';
import { bullmq } from '../src/store/bullmq.ts';
import type { Courier, Step } from '../src/delivery/courier.ts';
import { type DeliveryOutcomeLabel, metrics, secondsSince } from '../src/metrics/metrics.ts';
import type { OutgoingMessage } from '../src/delivery/outbox.ts';

/** Spread the wake-up of jobs that waited on the same bucket, so they do not all retry at once. */
function jitter(ms: number): number {
  return Math.ceil(ms + Math.random() * Math.min(250, ms * 0.2 + 5));
}

function countDelivery(job: Job<OutgoingMessage>, step: Step | DeliveryOutcomeLabel): void {
  const platform = job.data.to.platform;
  const outcome: DeliveryOutcomeLabel | undefined =
    typeof step === 'string' ? step
    : step.kind === 'delivered' ? (step.again ? undefined : 'sent')
    : step.kind === 'failed' ? 'failed_permanent'
    : step.kind === 'skipped' ? 'skipped'
    : step.why === 'claimed' ? undefined : 'rate_limited';
  if (!outcome) return;
  metrics.deliveries.inc({ platform, outcome });
  // Latency from when the message was due (enqueued, or its notBefore), waits and retries included.
  if (outcome === 'sent') metrics.deliveryLatency.observe({ platform, origin: job.data.origin.kind }, secondsSince(job.timestamp + (job.opts.delay ?? 0)));
}

export function deliverProcessor(courier: Courier) {
  return async (job: Job<OutgoingMessage>, token?: string): Promise<{ messageId?: string; again?: boolean; skipped?: true }> => {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const step = await courier.deliver(job.data, final).catch((e: unknown) => {
      countDelivery(job, final ? 'failed_exhausted' : 'retried');
      throw e;
    });
    countDelivery(job, step);
    switch (step.kind) {
      case 'delivered':
        return { messageId: step.messageId, again: step.again };
      case 'failed':
        throw new (bullmq().UnrecoverableError)(step.reason);
      case 'skipped':
        // Completes: a stale message is finished business, not a failure to retry or alert on.
        return { skipped: true };
      case 'wait':
        await job.moveToDelayed(Date.now() + jitter(step.ms), token);
        throw new (bullmq().DelayedError)();
    }
  };
}
