/**
 * Queue names and options in one place. Delivery has one queue per platform, so a slow or
 * rate-limited platform never holds up the other, and BullMQ's queue-wide `limiter` becomes the
 * per-bot rate (Telegram ~30/s per bot, Slack's workspace-wide limit). Alerts share the platform
 * queue with broadcasts but carry a higher priority, so they overtake any backlog while still
 * counting against the same bot-wide rate (a separate alerts queue would need its own limiter
 * and could together exceed the bot's limit).
 */
import type { Config } from '../src/config.ts';
import type { Platform } from '../src/messages.ts';
import { bullKeyPrefix } from '../src/store/keys.ts';

export const DELIVERY_PLATFORMS: readonly Platform[] = ['telegram', 'slack', 'console'];

/** BullMQ queue names may not contain ':'. */
export function deliveryQueueName(platform: Platform): string {
  return `deliver-${platform}`;
}

/** Meeting and office-deadline reminder timers (delayed jobs; src/scheduling/reminder-queue.ts). */
export const REMINDERS_QUEUE = 'reminders';

export const reminderJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential' as const, delay: 1000 },
  // Keep finished ids for a while so a re-schedule of the same reminder stays a no-op;
  // a re-run after that is still harmless (the outbox's sent-markers de-duplicate).
  removeOnComplete: { age: 14 * 24 * 3600, count: 50_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Alert escalation steps (delayed jobs; src/alerts/escalation.ts). */
export const ESCALATION_QUEUE = 'alert-escalate';

export const escalationJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** BullMQ key prefix: every queue lives under the deployment's REDIS_PREFIX, in one hash slot (src/store/keys.ts). */
export function bullPrefix(config: Pick<Config, 'REDIS_PREFIX'>): string {
  return bullKeyPrefix(config.REDIS_PREFIX);
}

/** BullMQ priorities: lower runs first. Jobs without a priority would run before all of them. */
export const PRIORITY = { alert: 1, normal: 10 } as const;

export function deliveryJobOptions(config: Pick<Config, 'DELIVERY_ATTEMPTS' | 'DELIVERY_BACKOFF_MS'>) {
  return {
    attempts: config.DELIVERY_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: config.DELIVERY_BACKOFF_MS },
    // The sent-marker, not the job id, guards against double sends, so finished jobs can go.
    removeOnComplete: { age: 24 * 3600, count: 50_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** Messages per second per bot for the platform queue's limiter; undefined = unlimited. */
export function platformRate(config: Config, platform: Platform): number | undefined {
  if (!config.DELIVERY_LIMITS) return undefined;
  const r = platform === 'telegram' ? config.DELIVERY_TELEGRAM_PER_S : platform === 'slack' ? config.DELIVERY_SLACK_PER_S : 0;
  return r > 0 ? r : undefined;
}

/** Every queue of a deployment (metrics and the queue dashboard list them all). */
export const ALL_QUEUES: readonly string[] = [...DELIVERY_PLATFORMS.map(deliveryQueueName), REMINDERS_QUEUE, ESCALATION_QUEUE];
