/**
 * Metrics and logs of a full run, end to end: the bot (`xiezuo start`, WORKERS=0) and one
 * `xiezuo worker` process against the Telegram stand-in and a private redis-server. After a
 * broadcast, an alert with its acknowledgement and a meeting reminder have run, GET /metrics on
 * both processes parses with a real exposition-format parser and carries the series of each part;
 * METRICS_TOKEN guards it; and no secret of the environment appears in anything either printed.
 */
import { randomUUID } from 'node:crypto';
import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { tokenDigest } from '../../src/http/alert-api.ts';
import { createLogger } from '../../src/log.ts';
import { type FakeTelegram, type TelegramCall, startFakeTelegram } from '../support/fake-telegram.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { eventually, spawnXiezuo, type XiezuoProcess } from '../support/xiezuo-process.ts';

const BOT_TOKEN = '7012345678:AAHsecretBotToken_e2e-0123456789abcdefZ';
const METRICS_TOKEN = 'metrics-scrape-secret-4f1c9a';
const API_TOKEN = 'alert-api-secret-token-77aa';
const SIGNING_SECRET = 'slack-signing-secret-3b2e';
const OFFICER = 42;
const CHATS = { 文山应急: -1001, 上海应急: -1002, 应急领导小组: -1003, 应急协调中心: -1004, 市政府总值班室: -1005, 沪滇协作: -3001 };

let redis: RedisServer;
let tg: FakeTelegram;
let bot: XiezuoProcess;
let worker: XiezuoProcess;
const prefix = `m${randomUUID().slice(0, 8)}`;

type Families = ReturnType<typeof parsePrometheus>;

async function scrape(port: number, token: string | null = METRICS_TOKEN): Promise<{ status: number; text: string; contentType: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

/**
 * The exposition as the parser reads it (it throws on any line that breaks the format) plus its
 * sample lines: the parser folds a labelled histogram's series into one, so values are read from
 * the lines it accepted.
 */
interface Exposition {
  families: Families;
  /** Sum of the samples named `name` whose labels include `labels`. */
  total(name: string, labels?: Record<string, string>): number;
  /** Whether any sample is named `name`. */
  has(name: string): boolean;
  labelValues(): string[];
}

function exposition(text: string): Exposition {
  const families = parsePrometheus(text);
  const rows = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(l)!;
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
  const match = (name: string, labels: Record<string, string>) =>
    rows.filter((r) => r.name === name && Object.entries(labels).every(([k, v]) => r.labels[k] === v));
  return {
    families,
    total: (name, labels = {}) => match(name, labels).reduce((s, r) => s + r.value, 0),
    has: (name) => rows.some((r) => r.name === name),
    labelValues: () => rows.flatMap((r) => Object.entries(r.labels).filter(([k]) => k !== 'le' && k !== 'quantile').map(([, v]) => v)),
  };
}

async function metricsOf(port: number): Promise<Exposition> {
  const r = await scrape(port);
  expect(r.status).toBe(200);
  return exposition(r.text);
}

const to = (chat: number) => (c: TelegramCall) => String(c.body.chat_id) === String(chat);

/** A Shanghai wall-clock time `ms` from now, rounded up to the minute, as `/meeting add` takes it. */
function shanghaiMinute(at: number): { date: string; time: string; instant: number } {
  const instant = Math.ceil(at / 60_000) * 60_000;
  const s = new Date(instant + 8 * 3600_000).toISOString();
  return { date: s.slice(0, 10), time: s.slice(11, 16), instant };
}

beforeAll(async () => {
  [redis, tg] = await Promise.all([startRedis(), startFakeTelegram()]);
  const setup = await createApp(loadConfig({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
  for (const [g, chat] of Object.entries(CHATS)) {
    await setup.services.groups.create(g);
    await setup.services.groups.add(g, [{ to: { platform: 'telegram', chatId: String(chat) } }]);
  }
  await setup.close();
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'debug',
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: tg.apiRoot,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    METRICS_TOKEN,
    ALERT_API_TOKENS: tokenDigest(API_TOKEN),
    ADMINS: `telegram:${OFFICER}`,
    DELIVERY_LIMITS: '0',
    WORKER_HTTP_PORT: '0',
  };
  [bot, worker] = await Promise.all([
    spawnXiezuo({ args: ['start'], env: { ...env, WORKERS: '0' }, readyMsg: 'xiezuo started' }),
    spawnXiezuo({ args: ['worker'], env, readyMsg: 'xiezuo worker started' }),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all([bot?.stop(), worker?.stop()]);
  await Promise.all([tg?.close(), redis?.dispose()]);
});

describe('GET /metrics on the bot and on a worker after a broadcast, an alert with an ack and a reminder', () => {
  it('refuses a scrape without the bearer token, or with a wrong one', async () => {
    for (const port of [bot.port, worker.port]) {
      expect((await scrape(port, null)).status).toBe(401);
      expect((await scrape(port, 'wrong-token')).status).toBe(401);
    }
  });

  it('runs a broadcast, an alert acknowledged by its group, and a meeting reminder', async () => {
    // Broadcast: preview, then the 确认发送 button.
    tg.pushUpdate(tg.privateText(OFFICER, '/broadcast 沪滇协作 请于周五前报送年度材料'));
    const preview = await tg.waitForCall('sendMessage', (c) => to(OFFICER)(c) && !!c.body.reply_markup, 20_000);
    const confirm = (preview.body.reply_markup.inline_keyboard as Array<Array<{ callback_data: string }>>).flat()[0]!.callback_data;
    tg.pushUpdate(tg.callbackQuery(OFFICER, OFFICER, 101, confirm));
    await tg.waitForCall('sendMessage', (c) => to(CHATS['沪滇协作'])(c) && String(c.body.text).includes('年度材料'), 20_000);

    // Alert (level II goes out at once) and its acknowledgement by the stricken region's group.
    tg.pushUpdate(tg.privateText(OFFICER, '/alert 文山 地震 II 州府震感强烈'));
    const card = await tg.waitForCall('sendMessage', (c) => to(CHATS['文山应急'])(c) && /A-\d{8}-\d+/.test(String(c.body.text)), 20_000);
    const alertId = /A-\d{8}-\d+/.exec(String(card.body.text))![0];
    tg.pushUpdate(tg.groupText(CHATS['文山应急'], OFFICER, `/ack ${alertId}`));
    await eventually(async () => ((await metricsOf(bot.port)).total('xiezuo_alerts_total', { state: 'acknowledged' }) >= 1 ? true : undefined), 20_000, 'ack counted');

    // A meeting whose one reminder falls due a few seconds from now.
    const m = shanghaiMinute(Date.now() + 90_000);
    const offset = Math.floor((m.instant - Date.now()) / 1000) - 4;
    tg.pushUpdate(tg.privateText(OFFICER, `/meeting add "沪滇联席会议" ${m.date} ${m.time} 沪滇协作 --remind ${offset}s`));
    await tg.waitForCall('sendMessage', (c) => to(CHATS['沪滇协作'])(c) && String(c.body.text).includes('沪滇联席会议'), 30_000);
    await eventually(async () => ((await metricsOf(worker.port)).total('xiezuo_reminders_total', { result: 'sent' }) >= 1 ? true : undefined), 20_000, 'reminder counted');
  }, 90_000);

  it("the bot's exposition parses and carries reply latency, alert states, time to first ack, queue depths, Redis up and process series", async () => {
    const r = await scrape(bot.port);
    expect(r.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const f = exposition(r.text);
    expect(f.total('xiezuo_reply_latency_seconds_count', { command: 'broadcast' })).toBe(1);
    expect(f.total('xiezuo_reply_latency_seconds_count', { command: 'alert' })).toBeGreaterThanOrEqual(1);
    expect(f.total('xiezuo_reply_latency_seconds_count', { command: 'ack' })).toBe(1);
    expect(f.total('xiezuo_alerts_total', { level: 'II', state: 'sent', drill: 'false' })).toBe(1);
    expect(f.total('xiezuo_alerts_total', { level: 'II', state: 'acknowledged' })).toBe(1);
    expect(f.total('xiezuo_alert_first_ack_seconds_count', { level: 'II' })).toBe(1);
    expect(f.families.find((x) => x.name === 'xiezuo_alert_first_ack_seconds')?.type).toBe('HISTOGRAM');
    expect(f.families.find((x) => x.name === 'xiezuo_alert_escalations_total')?.type).toBe('COUNTER');
    expect(f.total('xiezuo_redis_up')).toBe(1);
    expect(f.total('xiezuo_workers_running')).toBe(0);
    // Every queue of the deployment, by state, from BullMQ's own export (one family header).
    const depth = f.families.find((x) => x.name === 'bullmq_job_count');
    expect(depth?.type).toBe('GAUGE');
    expect(new Set(depth!.metrics.map((s) => s.labels!.queue))).toEqual(new Set(['deliver-telegram', 'deliver-slack', 'deliver-console', 'reminders', 'alert-escalate']));
    expect(f.total('bullmq_job_count', { queue: 'deliver-telegram', state: 'completed' })).toBeGreaterThanOrEqual(2);
    expect(f.has('process_cpu_user_seconds_total')).toBe(true);
    expect(f.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it("the worker's exposition parses and carries deliveries by outcome, delivery latency, reminders and their lateness, job outcomes", async () => {
    const f = await metricsOf(worker.port);
    expect(f.total('xiezuo_deliveries_total', { platform: 'telegram', outcome: 'sent' })).toBeGreaterThanOrEqual(3);
    expect(f.total('xiezuo_delivery_latency_seconds_count', { platform: 'telegram', origin: 'alert' })).toBeGreaterThanOrEqual(1);
    expect(f.total('xiezuo_delivery_latency_seconds_count', { platform: 'telegram', origin: 'broadcast' })).toBe(1);
    expect(f.total('xiezuo_reminders_total', { kind: 'meeting', result: 'sent' })).toBe(1);
    expect(f.total('xiezuo_reminder_lateness_seconds_count', { kind: 'meeting' })).toBe(1);
    expect(f.total('xiezuo_jobs_total', { queue: 'deliver-telegram', outcome: 'completed' })).toBeGreaterThanOrEqual(3);
    expect(f.total('xiezuo_jobs_total', { queue: 'reminders', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(f.total('xiezuo_workers_running')).toBeGreaterThan(0);
    expect(f.total('xiezuo_redis_up')).toBe(1);
    // No label carries user text or a chat id.
    for (const v of f.labelValues()) expect(v).not.toMatch(/\d{4,}|[\u4e00-\u9fff]/);
  });

  it("answers the worker's /healthz with Redis and its workers", async () => {
    const res = await fetch(`http://127.0.0.1:${worker.port}/healthz`);
    const body = (await res.json()) as { ok: boolean; components: Record<string, { ok: boolean }> };
    expect(res.status).toBe(200);
    expect(body.components.redis?.ok).toBe(true);
    expect(body.components.workers?.ok).toBe(true);
  });
});

describe('logs of the full run', () => {
  it('call the alert API with a bearer token, stop both processes, and find no secret in anything they printed', async () => {
    const res = await fetch(`http://127.0.0.1:${bot.port}/api/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ region: '文山', type: '洪涝', level: 'IV', text: '演练', drill: true }),
    });
    expect(res.status).toBe(201);
    await fetch(`http://127.0.0.1:${bot.port}/api/alerts`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}x` }, body: '{}' });
    expect(await bot.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
    const printed = [bot.stderr(), bot.stdout(), worker.stderr(), worker.stdout()].join('\n');
    // The run did log (debug level, both processes), so the absence below means something.
    expect(printed.split('\n').filter((l) => l.startsWith('{')).length).toBeGreaterThan(10);
    for (const secret of [BOT_TOKEN, BOT_TOKEN.split(':')[1]!, METRICS_TOKEN, API_TOKEN, SIGNING_SECRET]) expect(printed).not.toContain(secret);
  }, 40_000);
});
