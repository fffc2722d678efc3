/**
 * Delivers one OutgoingMessage to its destination: still current? → claim → sent-marker check →
 * rate-limit buckets → Sender → marker → outcome. It never sleeps: it tells its caller (the BullMQ
 * processor in jobs/deliver.ts) to come back later, to retry with backoff, or that the message
 * is finished, and the caller turns that into BullMQ's signals.
 */
import { randomUUID } from 'node:crypto';
import { SendError } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import type { Logger } from '../log.ts';
import { destinationKey } from '../messages.ts';
import type { Senders } from './sender.ts';
import type { RateLimits } from './limits.ts';
import type { DeliveryOutcome, OutgoingMessage } from './outbox.ts';
import type { SentMarkers } from './sent-markers.ts';

export type Step =
  /** Delivered now or earlier (`again`: the marker was already there; nothing was sent). */
  | { kind: 'delivered'; messageId: string; again: boolean }
  /** Come back in `ms` without counting an attempt (bucket full, 429, another worker sending). */
  | { kind: 'wait'; ms: number; why: 'limit' | 'retry-after' | 'claimed' }
  /** Never deliverable; reported as failed. */
  | { kind: 'failed'; reason: string }
  /** Its origin no longer wants it (meeting moved or cancelled, broadcast cancelled); nothing sent. */
  | { kind: 'skipped' };

/** A retryable failure (5xx, network); the processor retries it with backoff. */
class RetryableSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryableSendError';
  }
}

type Reporter = (m: OutgoingMessage, o: DeliveryOutcome) => Promise<void>;

export interface CourierDeps {
  senders: Senders;
  markers: SentMarkers;
  limits: RateLimits;
  report: Reporter;
  /**
   * Asked right before each send whether the message's origin still wants it (the Outbox asks
   * the origin kind's listener), so the Courier need not know what a meeting or a broadcast is.
   */
  isCurrent: (m: OutgoingMessage) => Promise<boolean>;
  log: Logger;
  now: () => number;
  /** How long a send claim holds; longer than any send takes, so two workers never send one id at once. */
  claimMs: number;
}

/**
 * Human reason for a failure, in Chinese, as the coordinator's report shows it. The platform's
 * own (English) text never reaches a report: it is logged with the failure instead.
 */
function failureReason(e: unknown): string {
  const known = e instanceof SendError && e.failure ? msg.platforms.sendFailure[e.failure] : undefined;
  if (known) return known;
  if (e instanceof SendError && e.retryAfterMs !== undefined) return msg.platforms.sendFailure.platformDown!;
  return msg.platforms.sendFailedUnknown;
}

/** The platform's own words, for the log line. */
function rawReason(e: unknown): string {
  if (e instanceof SendError) return e.platformCode ? `${e.platformCode} ${e.message}` : e.message;
  return e instanceof Error ? e.message : String(e);
}

export class Courier {
  constructor(private readonly d: CourierDeps) {}

  /**
   * One attempt. `finalAttempt` tells it that a retryable failure now is the last: the message is
   * then reported failed before the error is rethrown.
   */
  async deliver(m: OutgoingMessage, finalAttempt: boolean): Promise<Step> {
    const { markers, limits } = this.d;
    const sender = this.d.senders[m.to.platform];
    if (!sender) {
      const done = await markers.sent(m.to, m.id);
      if (done) return this.delivered(m, done, true);
      return this.failed(m, msg.common.platformNotConfigured(m.to.platform));
    }
    // Checked on every attempt, so a message that waited on a bucket or a 429 while its meeting
    // was cancelled finds out before it goes. Before the gate, so a stale message takes no slot
    // in the destination's buckets; the gate follows within one round trip.
    if (!(await this.d.isCurrent(m))) return this.skipped(m);
    const token = randomUUID();
    const gate = await markers.begin(m.to, m.id, token, this.d.claimMs, limits.keysFor(m.to, m.id));
    if (gate.state === 'sent') return this.delivered(m, gate.messageId, true);
    if (gate.state === 'claimed') return { kind: 'wait', ms: gate.ms, why: 'claimed' };
    if (gate.state === 'wait') return { kind: 'wait', ms: gate.ms, why: 'limit' };

    let sentId: string;
    try {
      sentId = (await sender.send(m.to, m.reply)).messageId;
    } catch (e) {
      await markers.release(m.to, m.id, token);
      if (e instanceof SendError && e.permanent) return this.failed(m, failureReason(e), rawReason(e));
      if (e instanceof SendError && e.platformCode === 429 && e.retryAfterMs !== undefined) {
        await limits.block(m.to, e.retryAfterMs);
        this.d.log.info('delivery: platform asked to wait', { id: m.id, ms: e.retryAfterMs });
        return { kind: 'wait', ms: e.retryAfterMs, why: 'retry-after' };
      }
      if (finalAttempt) await this.failed(m, failureReason(e), rawReason(e));
      throw new RetryableSendError(rawReason(e), e instanceof SendError ? e.retryAfterMs : undefined, { cause: e });
    }
    await markers.finish(m.to, m.id, token, sentId);
    return this.delivered(m, sentId, false);
  }

  private async delivered(m: OutgoingMessage, messageId: string, again: boolean): Promise<Step> {
    await this.d.report(m, { status: 'delivered', messageId, at: this.d.now() });
    return { kind: 'delivered', messageId, again };
  }

  private async skipped(m: OutgoingMessage): Promise<Step> {
    // Sent before it went stale (a re-run of a finished job): that is what happened, say so.
    const done = await this.d.markers.sent(m.to, m.id);
    if (done) return this.delivered(m, done, true);
    this.d.log.info('delivery skipped: origin no longer current', { id: m.id, origin: m.origin.kind, originId: m.origin.id });
    await this.d.report(m, { status: 'skipped', reason: 'stale', at: this.d.now() });
    return { kind: 'skipped' };
  }

  private async failed(m: OutgoingMessage, reason: string, raw?: string): Promise<Step> {
    this.d.log.warn('delivery failed', { id: m.id, to: destinationKey(m.to), reason, ...(raw ? { raw } : {}) });
    await this.d.report(m, { status: 'failed', reason, at: this.d.now() });
    return { kind: 'failed', reason };
  }
}
