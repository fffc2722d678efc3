/**
 * The contract between the services that want messages sent (broadcasts, meeting reminders,
 * deadline reminders, alerts) and the delivery pipeline (BullMQ jobs → rate limits → Sender).
 *
 * Delivery is at-least-once with de-duplication: `id` is stable for one message to one
 * destination (e.g. `${broadcastId}:${destinationKey}`); it is the job id and the sent-marker, so
 * a retry, a re-enqueue or a worker restart never sends the same id twice.
 */
import type { Destination, Reply } from '../messages.ts';

export type OriginKind = 'broadcast' | 'reminder' | 'alert' | 'notice';

export interface OutgoingMessage {
  id: string;
  to: Destination;
  reply: Reply;
  /** What this message belongs to; delivery reports outcomes back to the origin's listener. */
  origin: { kind: OriginKind; id: string };
}

export interface EnqueueOptions {
  /** Alerts overtake any backlog of normal traffic. */
  priority?: 'alert' | 'normal';
  /** Send no earlier than this instant (ms since epoch). */
  notBefore?: number;
}

export type DeliveryOutcome =
  | { status: 'delivered'; messageId: string; at: number }
  | { status: 'failed'; reason: string; at: number };

/** Told of every final outcome of messages whose origin has this kind. */
export interface DeliveryListener {
  onOutcome(message: OutgoingMessage, outcome: DeliveryOutcome): Promise<void>;
}

export interface Outbox {
  enqueue(messages: OutgoingMessage[], opts?: EnqueueOptions): Promise<void>;
  /** Register the listener for one origin kind (one per kind). */
  listen(kind: OriginKind, listener: DeliveryListener): void;
}
