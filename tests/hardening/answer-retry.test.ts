/**
 * Issue 11 #5: the answer to a waiting user survives a 429 with a long retry_after and a run of
 * 5xx, within a bounded time; past it, the loss is logged with user and chat. Real grammy
 * (long polling) against the Bot API stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.ts';
import { TelegramAdapter } from '../../src/platforms/telegram/adapter.ts';
import { MemoryCallbackStore } from '../../src/platforms/telegram/callbacks.ts';
import { ANSWER_RETRY_BUDGET_MS, withAnswerRetry } from '../../src/platforms/answer-retry.ts';
import { SendError } from '../../src/errors.ts';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.ts';
import { fixtureApp } from '../platforms/fixture.ts';

/** A Logger that keeps its lines, to assert on what an operator would read. */
function recordingLogger(lines: Array<{ level: string; msg: string; ctx: Record<string, unknown> }>): Logger {
  const at = (level: string) => (m: string, ctx: Record<string, unknown> = {}) => void lines.push({ level, msg: m, ctx });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

describe('answers to a waiting user (Telegram)', () => {
  let tg: FakeTelegram;
  let adapter: TelegramAdapter;
  const lines: Array<{ level: string; msg: string; ctx: Record<string, unknown> }> = [];

  beforeAll(async () => {
    tg = await startFakeTelegram();
    const { router, services } = fixtureApp();
    adapter = new TelegramAdapter({ token: '123:TEST', apiRoot: tg.apiRoot, mode: 'polling', router, services, log: recordingLogger(lines), callbacks: new MemoryCallbackStore(), pollTimeoutS: 1 });
    await adapter.start();
  });
  afterAll(async () => {
    await adapter.stop();
    await tg.close();
  });
  const tries = (chat: number) => tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === String(chat));

  it('a 429 asking for 6 s (more than the old single retry allowed) still gets the answer out, after the wait', async () => {
    tg.fail({ method: 'sendMessage', chatId: 701, status: 429, retryAfter: 6, times: 1 });
    tg.pushUpdate(tg.privateText(701, '/help'));
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '701' && c.status === 200, 20_000);
    expect(tries(701).map((c) => c.status)).toEqual([429, 200]);
    expect(sent.at - tries(701)[0]!.at).toBeGreaterThanOrEqual(5900);
  }, 30_000);

  it('two 500s in a row: the third attempt delivers', async () => {
    tg.fail({ method: 'sendMessage', chatId: 702, status: 500, times: 2 });
    tg.pushUpdate(tg.privateText(702, '/help'));
    await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '702' && c.status === 200, 20_000);
    expect(tries(702).map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('a wait longer than the budget is not made; the lost answer is logged with user and chat', async () => {
    tg.fail({ method: 'sendMessage', chatId: 703, status: 429, retryAfter: 60, times: 1 });
    tg.pushUpdate(tg.privateText(703, '/help'));
    await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '703');
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.msg === 'telegram reply lost') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const lost = lines.find((l) => l.msg === 'telegram reply lost');
    expect(lost?.level).toBe('error');
    expect(lost?.ctx).toMatchObject({ chat: '703', user: 703, question: '/help' });
    expect(tries(703)).toHaveLength(1);
  });
});

describe('withAnswerRetry', () => {
  it('honours each retry_after, stops when the next wait would pass the budget, and never retries a permanent refusal', async () => {
    let t = 0;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      t += ms;
    };
    let n = 0;
    const flaky = async () => {
      n++;
      throw new SendError('429', { retryAfterMs: 10_000 });
    };
    await expect(withAnswerRetry(flaky, { sleep, now: () => t })).rejects.toThrow('429');
    expect(waits).toEqual([10_000, 10_000, 10_000]);
    expect(t).toBeLessThanOrEqual(ANSWER_RETRY_BUDGET_MS);
    expect(n).toBe(4);
    n = 0;
    await expect(withAnswerRetry(async () => { n++; throw new SendError('403', { permanent: true }); }, { sleep, now: () => t })).rejects.toThrow('403');
    expect(n).toBe(1);
  });
});
