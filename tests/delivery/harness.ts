/**
 * Shared set-up for the delivery tests: a private redis-server, an app built through createApp
 * against it (unique key prefix per app) and a Sender that records what it is asked to send —
 * a real implementation of the Sender interface, not a mock of Redis or a platform SDK.
 */
import { randomUUID } from 'node:crypto';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { SendError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { type Destination, type Platform, type Reply, destinationKey } from '../../src/messages.ts';
import type { Sender, SentMessage, Senders } from '../../src/delivery/sender.ts';
import { startWorkers } from '../../jobs/worker.ts';
import type { RunningWorkers } from '../../src/process.ts';

export interface RecordedSend {
  key: string;
  to: Destination;
  reply: Reply;
  at: number;
  messageId: string;
}

/** Fault for one send: return an error to throw it, undefined to deliver. */
export type FaultRule = (to: Destination, nth: number) => SendError | Error | undefined;

export class RecordingSender implements Sender {
  sends: RecordedSend[] = [];
  edits: Array<{ to: Destination; messageId: string; reply: Reply; at: number }> = [];
  attempts = new Map<string, number>();
  fault: FaultRule | undefined;
  delayMs = 0;
  private seq = 0;
  constructor(readonly platform: Platform) {}
  async send(to: Destination, reply: Reply): Promise<SentMessage> {
    const key = destinationKey(to);
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const err = this.fault?.(to, n);
    if (err) throw err;
    const messageId = String(++this.seq);
    this.sends.push({ key, to, reply, at: Date.now(), messageId });
    return { messageId };
  }
  async edit(to: Destination, messageId: string, reply: Reply): Promise<void> {
    this.edits.push({ to, messageId, reply, at: Date.now() });
  }
  countsByKey(): Map<string, number> {
    const m = new Map<string, number>();
    for (const s of this.sends) m.set(s.key, (m.get(s.key) ?? 0) + 1);
    return m;
  }
}

/** Most sends within any window of `windowMs` to one key, from a list of send times. */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export const FAST_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent',
  DELIVERY_CONCURRENCY: '8',
  DELIVERY_BACKOFF_MS: '50',
  DELIVERY_ATTEMPTS: '5',
  DELIVERY_LOCK_MS: '2000',
  DELIVERY_TELEGRAM_PER_S: '0',
  DELIVERY_SLACK_PER_S: '0',
  DELIVERY_TELEGRAM_CHAT_LIMIT: '0',
  DELIVERY_TELEGRAM_GROUP_LIMIT: '0',
  DELIVERY_SLACK_CHANNEL_LIMIT: '0',
  DELIVERY_WINDOW_GUARD_MS: '20',
};

export async function buildApp(
  redisUrl: string,
  senders: Senders,
  env: Record<string, string> = {},
): Promise<App & { prefix: string; workers?: RunningWorkers }> {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const config = loadConfig({ ...FAST_ENV, ...env, REDIS_URL: redisUrl, REDIS_PREFIX: prefix });
  const app = await createApp(config, { senders, log: createLogger('silent') });
  return Object.assign(app, { prefix });
}

export async function withWorkers(app: App): Promise<RunningWorkers> {
  return startWorkers(app.services);
}

/** The app with its delivery workers running, and one close for both. */
export async function startWithWorkers<A extends App>(app: A): Promise<{ app: A; workers: RunningWorkers; close(): Promise<void> }> {
  const workers = await withWorkers(app);
  // Workers first: they use the app's connections.
  const close = async () => {
    await workers.close();
    await app.close();
  };
  return { app, workers, close };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 15_000, stepMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
