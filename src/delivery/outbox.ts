/**
 * The contract between the services that want messages sent (broadcasts, meeting reminders,
 * deadline reminders, alerts) and the delivery pipeline (BullMQ jobs → rate limits → Sender).
 *
 * Delivery is at-least-once with de-duplication: `id` is stable for one message to one
 * destination (e.g. `${broadcastId}:${destinationKey}`); it is the job id and the sent-marker, so
 * a retry, a re-enqueue or a worker restart never sends the same id twice.
 */
import type { Destination, Reply } from '../messages.ts';

export type OriginKind = 'broadcast' | 'meeting-reminder' | 'meeting-notice' | 'deadline-reminder' | 'alert' | 'notice';

/** What a message belongs to: its kind picks the listener, the rest tells it which state it was made for. */
export interface Origin {
  kind: OriginKind;
  id: string;
  /** The owner's generation (bumped by move, cancel, done) the message was made for. */
  generation?: number;
  /** The meeting occurrence (instant, ms) a reminder was made for. */
  occurrence?: number;
}

export interface OutgoingMessage {
  id: string;
  to: Destination;
  reply: Reply;
  /** What this message belongs to; delivery reports outcomes back to the origin's listener. */
  origin: Origin;
}

export interface EnqueueOptions {
  /** Alerts overtake any backlog of normal traffic. */
  priority?: 'alert' | 'normal';
  /** Send no earlier than this instant (ms since epoch). */
  notBefore?: number;
}

export type DeliveryOutcome =
  | { status: 'delivered'; messageId: string; at: number }
  | { status: 'failed'; reason: string; at: number }
  /** Not sent because its origin no longer wanted it (isCurrent said no); only listeners with isCurrent see it. */
  | { status: 'skipped'; reason: string; at: number };

/** Told of every final outcome of messages whose origin has this kind. */
export interface DeliveryListener {
  onOutcome(message: OutgoingMessage, outcome: DeliveryOutcome): Promise<void>;
  /**
   * Asked right before each send: is this message still wanted? A queued message can outlive
   * what it was made for (waiting on a rate bucket or a 429 while its meeting is cancelled or
   * moved, its deadline done, its broadcast cancelled); removing timer jobs does not reach it,
   * so the owner decides here, from its own keys. Absent: always current.
   */
  isCurrent?(message: OutgoingMessage): Promise<boolean>;
}

export interface Outbox {
  enqueue(messages: OutgoingMessage[], opts?: EnqueueOptions): Promise<void>;
  /** Register the listener for one origin kind (one per kind). */
  listen(kind: OriginKind, listener: DeliveryListener): void;
}
