/**
 * The process's Prometheus series (prom-client), one registry per process, scraped at GET /metrics
 * on the bot and on every `xiezuo worker` (src/http/metrics.ts). Parts count at the points where
 * things happen with one line each; labels take only small fixed sets of values (platform, level,
 * outcome, command name) — never user text, ids or chat ids, so the series count stays bounded.
 */
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

// Loaded with require(), not import: the same module, without Node 20's export-name scan (see
// src/store/bullmq.ts).
const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = createRequire(import.meta.url)('prom-client') as typeof Prom;

export const registry = new Registry();
const registers = [registry];

/** Latency buckets from a fast Bot API round trip to a long backlog. */
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];
const REPLY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ACK_BUCKETS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600];
const LATENESS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

export type DeliveryOutcomeLabel = 'sent' | 'retried' | 'rate_limited' | 'failed_permanent' | 'failed_exhausted' | 'skipped';

/** A counter in this registry; labels typed from the names given. */
function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Prom.Counter<L> {
  return new Counter({ name, help, labelNames, registers });
}

/** A histogram in this registry, with its own buckets. */
function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Prom.Histogram<L> {
  return new Histogram({ name, help, labelNames, buckets, registers });
}

export const metrics = {
  deliveries: counter('xiezuo_deliveries_total', 'Delivery attempts by platform and outcome (sent, retried, rate_limited, failed_permanent, failed_exhausted, skipped)', ['platform', 'outcome']),
  deliveryLatency: histogram('xiezuo_delivery_latency_seconds', 'From when a message was due to when the platform accepted it, by platform and origin kind', ['platform', 'origin'], DELIVERY_BUCKETS),
  replyLatency: histogram('xiezuo_reply_latency_seconds', 'Time to build the reply to a chat message (questions and commands), by command', ['command'], REPLY_BUCKETS),
  alerts: counter('xiezuo_alerts_total', 'Alert state changes by level and state (sent, acknowledged, escalated, raised, resolved, cancelled)', ['level', 'state', 'drill']),
  firstAck: histogram('xiezuo_alert_first_ack_seconds', 'From an alert being sent to its first acknowledgement', ['level', 'drill'], ACK_BUCKETS),
  escalations: counter('xiezuo_alert_escalations_total', 'Escalation steps taken because nobody acknowledged in time', ['level', 'drill']),
  reminders: counter('xiezuo_reminders_total', 'Reminder jobs run, by kind and result (sent, stale, late …)', ['kind', 'result']),
  reminderLateness: histogram('xiezuo_reminder_lateness_seconds', 'How long after its due instant a reminder job started', ['kind'], LATENESS_BUCKETS),
  jobs: counter('xiezuo_jobs_total', 'BullMQ jobs this process finished, by queue and outcome (completed, retried, failed)', ['queue', 'outcome']),
  workersRunning: new Gauge({ name: 'xiezuo_workers_running', help: 'BullMQ workers running in this process (0 on a bot started with WORKERS=0)', registers }),
};

type Probe = () => Promise<boolean>;
let redisProbe: Probe | undefined;

new Gauge({
  name: 'xiezuo_redis_up',
  help: '1 when this process reaches its Redis (PING), else 0',
  registers,
  async collect() {
    this.set(redisProbe ? ((await redisProbe().catch(() => false)) ? 1 : 0) : 0);
  },
});

/** How /metrics learns whether Redis answers (set by the process that owns the connection). */
export function setRedisProbe(probe: Probe): void {
  redisProbe = probe;
}

let processMetrics = false;
/** Node's process series (CPU, memory, event-loop lag, handles), once per process. */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}

/** Seconds between two instants in ms, never negative (clocks of two hosts may disagree a little). */
export function secondsSince(fromMs: number, toMs: number = Date.now()): number {
  return Math.max(0, (toMs - fromMs) / 1000);
}
