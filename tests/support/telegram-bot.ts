/**
 * Real grammy in long-polling mode, as `xiezuo start` runs it, against the local Bot API
 * stand-in: a TelegramAdapter with an in-memory button store and a 1 s poll, started.
 */
import type { Logger } from '../../src/log.ts';
import { createLogger } from '../../src/log.ts';
import { TelegramAdapter } from '../../src/platforms/telegram/adapter.ts';
import { MemoryCallbackStore } from '../../src/platforms/telegram/callbacks.ts';
import type { Router } from '../../src/router.ts';
import type { Services } from '../../src/services.ts';
import type { FakeTelegram } from './fake-telegram.ts';

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
