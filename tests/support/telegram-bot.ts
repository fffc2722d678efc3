/**
 * Real grammy in long-polling mode, as `xiezuo start` runs it, against the local Bot API
 * stand-in: a TelegramAdapter with an in-memory button store and a 1 s poll, started.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startWorkers } from '../../jobs/worker.ts';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Senders } from '../../src/delivery/sender.ts';
import type { Logger } from '../../src/log.ts';
import { createLogger } from '../../src/log.ts';
import { TELEGRAM_WEBHOOK_PATH, TelegramAdapter } from '../../src/platforms/telegram/adapter.ts';
import { MemoryCallbackStore } from '../../src/platforms/telegram/callbacks.ts';
import type { Router } from '../../src/router.ts';
import type { RunningWorkers } from '../../src/process.ts';
import type { Services } from '../../src/services.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram.ts';
import { type HttpBot, startHttpBot } from './http-bot.ts';
import { type RedisServer, startRedis } from './redis-server.ts';

export async function startTelegramBot(opts: { tg: FakeTelegram; router: Router; services: Services; token?: string; log?: Logger }): Promise<TelegramAdapter> {
  const adapter = new TelegramAdapter({
    token: opts.token ?? '123:TEST',
    apiRoot: opts.tg.apiRoot,
    mode: 'polling',
    router: opts.router,
    services: opts.services,
    log: opts.log ?? createLogger('silent'),
    callbacks: new MemoryCallbackStore(),
    pollTimeoutS: 1,
  });
  await adapter.start();
  return adapter;
}

export type TelegramWebhookBot = HttpBot<TelegramAdapter>;

/**
 * Real grammy in webhook mode, as `xiezuo start` runs it behind a public URL: a TelegramAdapter
 * on its own HttpServer on a free loopback port, with an in-memory button store, started.
 */
export async function startTelegramWebhookBot(opts: { tg: FakeTelegram; router: Router; services: Services; secret: string; webhookUrl?: string }): Promise<TelegramWebhookBot> {
  return startHttpBot(TELEGRAM_WEBHOOK_PATH, opts, (parts) =>
    new TelegramAdapter({
      ...parts,
      token: '123:TEST',
      apiRoot: opts.tg.apiRoot,
      mode: 'webhook',
      webhookSecret: opts.secret,
      ...(opts.webhookUrl ? { webhookUrl: opts.webhookUrl } : {}),
      callbacks: new MemoryCallbackStore(),
    }),
  );
}

/**
 * The bot as `xiezuo start` runs it, in this process, against the stand-in: a private
 * redis-server, createApp with `env` over the stand-in's token and API root, real grammy
 * polling, and the workers, which deliver with the adapter's Sender. Filled in by beforeAll and
 * closed by afterAll, like useHarness in tests/meetings.
 */
export function useTelegramApp(env: Record<string, string>): { tg: FakeTelegram; app: App } {
  const s = { tg: {}, app: {} } as { tg: FakeTelegram; app: App };
  let redis: RedisServer | undefined;
  let adapter: TelegramAdapter | undefined;
  let workers: RunningWorkers | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    Object.assign(s.tg, await startFakeTelegram());
    const config = loadConfig({
      REDIS_URL: redis.url,
      REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'silent',
      TELEGRAM_BOT_TOKEN: '123:TEST',
      TELEGRAM_API_ROOT: s.tg.apiRoot,
      ...env,
    });
    const senders: Senders = {};
    Object.assign(s.app, await createApp(config, { senders, log: createLogger('silent') }));
    adapter = await startTelegramBot({ tg: s.tg, router: s.app.router, services: s.app.services });
    senders.telegram = adapter.sender;
    workers = await startWorkers(s.app.services);
  });
  afterAll(async () => {
    await adapter?.stop();
    await workers?.close();
    await s.app.close?.();
    await s.tg.close?.();
    await redis?.dispose();
  });
  return s;
}
