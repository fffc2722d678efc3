/**
 * Alert latency: from the trigger call to the first alert message arriving at a local Telegram
 * Bot API stand-in, through the whole pipeline (AlertService → BullMQ delivery queue → Courier
 * with its rate buckets → TelegramSender → HTTP). Measured idle and with a 10,000-message
 * broadcast backlog queued in the same platform queue, platform limits on (the defaults).
 * Each trial points the emergency groups at fresh chats, so per-chat limits never delay a trial.
 */
import { performance } from 'node:perf_hooks';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import type { OutgoingMessage } from '../delivery/outbox.ts';
import { MemoryCallbackStore } from '../platforms/telegram/callbacks.ts';
import { TelegramSender, createTelegramApi } from '../platforms/telegram/sender.ts';
import { startRedis } from '../store/redis-server.ts';
import { percentile, startBotApiStandIn } from './bot-api-stand-in.ts';
import { startWorkers } from '../../jobs/worker.ts';

const TOKEN = '123:BENCH';
const TRIALS = 40;
const BACKLOG = 10_000;
/** An alert here is 3–4 messages; 250 ms apart stays under Telegram's ~30 msg/s per bot. */
const GAP_MS = 250;

interface Arrival {
  at: number;
  chat: string;
  text: string;
}

/** The smallest Bot API that grammy accepts for sendMessage / editMessageText. */

const round = (x: number) => Math.round(x * 10) / 10;

export async function benchAlerts(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  const arrivals: Arrival[] = [];
  const standIn = await startBotApiStandIn((m) => arrivals.push({ at: m.perfAt, chat: m.chat, text: m.text }));
  const { root } = standIn;
  const config = loadConfig({ ...process.env, REDIS_URL: redis.url, REDIS_PREFIX: 'bench-alerts', LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: root });
  const senders = { telegram: new TelegramSender(createTelegramApi(TOKEN, root), new MemoryCallbackStore()) };
  const app = await createApp(config, { senders, log: createLogger('silent') });
  const { services } = app;
  const workers = await startWorkers(services);
  const groupNames = ['文山应急', '上海应急', '应急领导小组', '应急协调中心', '市政府总值班室'];
  for (const g of groupNames) await services.groups.create(g);
  let chatSeq = 0;

  const trial = async (): Promise<number> => {
    // Fresh chats for this trial, so no per-chat bucket from an earlier one applies.
    for (const g of groupNames) {
      const old = await services.groups.get(g);
      for (const d of old?.destinations ?? []) await services.groups.remove(g, d);
      await services.groups.add(g, [{ to: { platform: 'telegram', chatId: String(-1_000_000 - ++chatSeq) } }]);
    }
    const t0 = performance.now();
    const r = await services.alerts.trigger({
      region: '文山', type: '地震', level: 'I', text: '基准测试', drill: false, forceNew: true,
      by: { key: 'bench:alerts' }, source: 'api', skipPreview: true,
    });
    const id = r.alert.id;
    for (let i = 0; i < 500; i++) {
      const hit = arrivals.find((a) => a.text.includes(id));
      if (hit) return hit.at - t0;
      await new Promise((res) => setTimeout(res, 2));
    }
    throw new Error(`alert ${id} never reached the stand-in`);
  };

  const measure = async (): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      out.push(await trial());
      // Keep the alerts' own traffic well under the bot-wide rate, so a trial never waits for an earlier one.
      await new Promise((res) => setTimeout(res, GAP_MS));
    }
    return out.sort((a, b) => a - b);
  };

  try {
    const idle = await measure();
    const backlog: OutgoingMessage[] = [];
    for (let i = 0; i < BACKLOG; i++)
      backlog.push({
        id: `bench-bc:telegram:${i + 1}`,
        to: { platform: 'telegram', chatId: String(i + 1) },
        reply: { blocks: [{ text: '广播积压' }] },
        origin: { kind: 'broadcast', id: 'bench-bc' },
      });
    await services.outbox.enqueue(backlog, { priority: 'normal' });
    const queued = await services.outbox.queue('telegram').getJobCounts('waiting', 'prioritized', 'delayed');
    const loaded = await measure();
    const left = await services.outbox.queue('telegram').getJobCounts('waiting', 'prioritized', 'delayed');
    return {
      trials: TRIALS,
      idle_p50_ms: round(percentile(idle, 50)),
      idle_p99_ms: round(percentile(idle, 99)),
      backlog_p50_ms: round(percentile(loaded, 50)),
      backlog_p99_ms: round(percentile(loaded, 99)),
      backlog_queued_at_start: Object.values(queued).reduce((a, b) => a + b, 0),
      backlog_queued_at_end: Object.values(left).reduce((a, b) => a + b, 0),
      limits: config.DELIVERY_LIMITS,
    };
  } finally {
    await workers.close();
    for (const q of ['telegram', 'slack', 'console'] as const) await services.outbox.queue(q).obliterate({ force: true }).catch(() => {});
    await app.close();
    await standIn.close();
    await redis.dispose();
  }
}
