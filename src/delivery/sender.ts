/**
 * The outbound side of a platform: what jobs use for broadcasts, reminders and alerts. A Sender
 * throws SendError: `retryAfterMs` for retry-later failures (429 with the platform's wait, 5xx,
 * network), `permanent` for destinations that will never take the message (bot removed or blocked,
 * chat not found).
 */
import type { Destination, Platform, Reply } from '../messages.ts';

export interface SentMessage {
  /** The platform's id for the posted message (Telegram message_id, Slack ts), for later edits. */
  messageId: string;
}

export interface Sender {
  readonly platform: Platform;
  send(to: Destination, reply: Reply): Promise<SentMessage>;
  edit(to: Destination, messageId: string, reply: Reply): Promise<void>;
}

export type Senders = Partial<Record<Platform, Sender>>;
