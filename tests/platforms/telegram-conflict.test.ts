/**
 * Polling is single-instance: when Telegram answers getUpdates with 409 Conflict (another
 * process polls with the same token), the adapter says so in the log and in /healthz instead
 * of reporting itself healthy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.ts';
import { TelegramAdapter } from '../../src/platforms/telegram/adapter.ts';
import { MemoryCallbackStore } from '../../src/platforms/telegram/callbacks.ts';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.ts';
import { fixtureApp } from './fixture.ts';

const lines: { level: string; msg: string }[] = [];
const log: Logger = {
  debug: (msg) => lines.push({ level: 'debug', msg }),
  info: (msg) => lines.push({ level: 'info', msg }),
  warn: (msg) => lines.push({ level: 'warn', msg }),
  error: (msg) => lines.push({ level: 'error', msg }),
  child: () => log,
};

let tg: FakeTelegram;
let adapter: TelegramAdapter;
beforeAll(async () => {
  tg = await startFakeTelegram();
});
afterAll(async () => {
  await adapter?.stop();
  await tg?.close();
});

describe('telegram polling with a second poller', () => {
  it('a 409 Conflict from getUpdates: an error naming the cause, and health turns failed', async () => {
    tg.fail({ method: 'getUpdates', status: 409 });
    const { router, services } = fixtureApp();
    adapter = new TelegramAdapter({ token: '123:TEST', apiRoot: tg.apiRoot, mode: 'polling', router, services, log, callbacks: new MemoryCallbackStore(), pollTimeoutS: 1 });
    await adapter.start();
    const end = Date.now() + 20_000;
    while (adapter.health().state !== 'failed' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(adapter.health()).toMatchObject({ ok: false, state: 'failed', error: expect.stringContaining('409') });
    expect(lines.some((l) => l.level === 'error' && l.msg.includes('another process polls this bot'))).toBe(true);
  });
});
