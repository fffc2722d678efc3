/**
 * The Telegram adapter with real grammy (and @grammyjs/runner) against the local Bot API
 * stand-in: updates in through getUpdates and through the webhook, Bot API calls out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg } from '../../src/i18n/index.ts';
import { createLogger } from '../../src/log.ts';
import { TELEGRAM_WEBHOOK_PATH, TelegramAdapter } from '../../src/platforms/telegram/adapter.ts';
import { MemoryCallbackStore } from '../../src/platforms/telegram/callbacks.ts';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.ts';
import { type TelegramWebhookBot, startTelegramWebhookBot } from '../support/telegram-bot.ts';
import { fixtureApp, LONG_VALUE } from './fixture.ts';

const settle = (ms = 250) => new Promise((r) => setTimeout(r, ms));

describe('telegram adapter, long polling', () => {
  let tg: FakeTelegram;
  let adapter: TelegramAdapter;

  beforeAll(async () => {
    tg = await startFakeTelegram();
    const { router, services } = fixtureApp();
    adapter = new TelegramAdapter({
      token: '123:TEST',
      apiRoot: tg.apiRoot,
      mode: 'polling',
      router,
      services,
      log: createLogger('silent'),
      callbacks: new MemoryCallbackStore(),
      pollTimeoutS: 1,
    });
    await adapter.start();
  });
  afterAll(async () => {
    await adapter.stop();
    await tg.close();
  });

  it('registers the command menu and drops any webhook at start', () => {
    const set = tg.callsTo('setMyCommands')[0];
    expect(set?.body.commands).toEqual(expect.arrayContaining([{ command: 'echo', description: '回声' }]));
    expect(tg.callsTo('deleteWebhook')).toHaveLength(1);
    expect(adapter.health()).toEqual({ ok: true, state: 'polling' });
  });

  it('answers a private command (bot_command entity) with escaped HTML and an inline keyboard', async () => {
    tg.pushUpdate(tg.privateText(501, '/echo 大连'));
    const sent = await tg.waitForCall('sendMessage', (c) => c.body.chat_id === '501' || c.body.chat_id === 501);
    expect(sent.body.parse_mode).toBe('HTML');
    expect(sent.body.text).toContain('你说：大连 &lt;b&gt;&amp;&lt;/b&gt;');
    expect(sent.body.text).toContain('<b>回声</b>');
    expect(sent.body.text).toContain('<i>——《测试》一（一）</i>');
    const kb = sent.body.reply_markup.inline_keyboard;
    expect(kb[0][0]).toEqual({ text: '再来', callback_data: 'echo.again|大连' });
    // Over 64 bytes: a short token instead of the payload.
    expect(kb[1][0].callback_data).toMatch(/^~[A-Za-z0-9_-]+$/);
    expect(Buffer.byteLength(kb[1][0].callback_data)).toBeLessThanOrEqual(64);
  });

  it('answers /cmd@thisbot in a group, next to the question', async () => {
    const u = tg.pushUpdate(tg.groupText(-1001, 77, `/echo@${tg.username} 无锡`));
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '-1001');
    expect(sent.body.text).toContain('你说：无锡');
    expect(sent.body.reply_parameters).toMatchObject({ message_id: u.message.message_id });
  });

  it('stays quiet on group chatter, other bots’ commands and unknown bare commands; answers mentions and replies to the bot', async () => {
    tg.pushUpdate(tg.groupText(-1002, 77, '大家好，今天开会吗？'));
    tg.pushUpdate(tg.groupText(-1002, 77, '/echo@other_bot 你好'));
    tg.pushUpdate(tg.groupText(-1002, 77, '/weather 上海'));
    tg.pushUpdate(tg.groupText(-1002, 77, `@${tg.username} 大连和谁结对？`));
    const mention = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '-1002');
    expect(mention.body.text).toContain('问：大连和谁结对？');
    tg.pushUpdate(
      tg.groupText(-1002, 78, '那无锡呢', {
        reply_to_message: { message_id: 5, date: 1, chat: { id: -1002, type: 'supergroup', title: 'G' }, from: { id: tg.botId, is_bot: true, first_name: '协作' }, text: '…' },
      }),
    );
    await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '-1002' && String(c.body.text).includes('问：那无锡呢'));
    await settle();
    expect(tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === '-1002')).toHaveLength(2);
  });

  it('routes a callback query to the command action: answerCallbackQuery with the toast, then edits the message', async () => {
    const q = tg.pushUpdate(tg.callbackQuery(502, 502, 101, 'echo.again|大连'));
    const answered = await tg.waitForCall('answerCallbackQuery', (c) => c.body.callback_query_id === q.callback_query.id);
    expect(answered.body.text).toBe('已收到：大连');
    const edit = await tg.waitForCall('editMessageText', (c) => String(c.body.chat_id) === '502');
    expect(edit.body.message_id).toBe(101);
    expect(edit.body.text).toContain('再说一遍：大连');
  });

  it('decodes a token button, and answers an unknown or expired one with the stale-button notice', async () => {
    const first = tg.callsTo('sendMessage').find((c) => String(c.body.chat_id) === '501')!;
    const token = first.body.reply_markup.inline_keyboard[1][0].callback_data as string;
    const q1 = tg.pushUpdate(tg.callbackQuery(501, 501, 102, token));
    const a1 = await tg.waitForCall('answerCallbackQuery', (c) => c.body.callback_query_id === q1.callback_query.id);
    expect(a1.body.text).toBe(`已收到：${LONG_VALUE}`.slice(0, 50));
    const q2 = tg.pushUpdate(tg.callbackQuery(501, 501, 103, '~doesnotexist'));
    const a2 = await tg.waitForCall('answerCallbackQuery', (c) => c.body.callback_query_id === q2.callback_query.id);
    expect(a2.body.text).toBe(msg.common.staleButton);
    const q3 = tg.pushUpdate(tg.callbackQuery(501, 501, 104, 'gone.away|1'));
    const a3 = await tg.waitForCall('answerCallbackQuery', (c) => c.body.callback_query_id === q3.callback_query.id);
    expect(a3.body.text).toBe(msg.common.staleButton);
  });

  it('splits a long reply into messages within 4096 characters, buttons on the last', async () => {
    tg.pushUpdate(tg.privateText(503, '/long'));
    await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '503' && c.body.reply_markup !== undefined);
    const parts = tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === '503');
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(String(p.body.text).length).toBeLessThanOrEqual(4096);
    expect(parts.filter((p) => p.body.reply_markup)).toHaveLength(1);
    // Blocks are kept whole: every heading starts a block and its closing marker ends up in the same part.
    const all = parts.map((p) => String(p.body.text));
    for (let i = 1; i <= 12; i++) {
      const holder = all.find((t) => t.includes(`<b>第${i}条</b>`));
      expect(holder).toContain(`&lt;${i - 1}&gt;`);
    }
  });

  it('answers a 10,000-character message, a text-less private message and an internal error briefly, and keeps running', async () => {
    tg.pushUpdate(tg.privateText(504, 'x'.repeat(10_000)));
    const tooLong = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '504');
    expect(tooLong.body.text).toContain('消息太长');
    // A sticker: no text.
    tg.pushUpdate({ message: { message_id: 9, date: 1, chat: { id: 505, type: 'private', first_name: 'U' }, from: { id: 505, is_bot: false, first_name: 'U' }, sticker: { file_id: 'x' } } });
    const textOnly = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '505');
    expect(textOnly.body.text).toContain(msg.platforms.textOnly);
    tg.pushUpdate(tg.privateText(506, '/boom'));
    const boom = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '506');
    expect(boom.body.text).toMatch(/错误编号 E[0-9A-Z]+/);
    expect(boom.body.text).not.toContain('kaboom');
    tg.pushUpdate(tg.privateText(507, '/nosuch 1'));
    const unknown = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '507');
    expect(unknown.body.text).toContain('没有“/nosuch”这个命令');
  });

  it('answers Telegram’s /start (with a deep-link payload too) with the help text', async () => {
    tg.pushUpdate(tg.privateText(509, '/start hello'));
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '509');
    expect(sent.body.text).toContain('帮助：/echo /long');
  });

  it('retries an answer once after a short 429 pause', async () => {
    tg.fail({ method: 'sendMessage', chatId: 510, status: 429, retryAfter: 1, times: 1 });
    tg.pushUpdate(tg.privateText(510, '/echo 稍等'));
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '510' && c.status === 200);
    const tries = tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === '510');
    expect(tries.map((c) => c.status)).toEqual([429, 200]);
    expect(sent.at - tries[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('survives a malformed update and answers the next one', async () => {
    tg.pushUpdate({ message: { message_id: 1, date: 1, text: '/echo', chat: null } });
    tg.pushUpdate(tg.privateText(508, '/echo 还在'));
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '508');
    expect(sent.body.text).toContain('你说：还在');
    expect(adapter.health().ok).toBe(true);
  });
});

describe('telegram adapter, webhook', () => {
  let tg: FakeTelegram;
  let bot: TelegramWebhookBot;
  const secret = 'webhook-secret_42';

  beforeAll(async () => {
    tg = await startFakeTelegram();
    bot = await startTelegramWebhookBot({ tg, ...fixtureApp(), secret, webhookUrl: 'https://bot.example.org/telegram/webhook' });
  });
  afterAll(async () => {
    await bot.close();
    await tg.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(bot.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('sets the webhook with the secret and does not poll', async () => {
    const set = await tg.waitForCall('setWebhook');
    expect(set.body).toMatchObject({ url: 'https://bot.example.org/telegram/webhook', secret_token: secret });
    expect(tg.callsTo('getUpdates')).toHaveLength(0);
    expect(bot.adapter.health()).toEqual({ ok: true, state: 'webhook' });
  });

  it('handles updates posted with the right secret token', async () => {
    const res = await post({ update_id: 1, ...tg.privateText(601, '/echo 网钩') }, { 'x-telegram-bot-api-secret-token': secret });
    expect(res.status).toBe(200);
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '601');
    expect(sent.body.text).toContain('你说：网钩');

    const group = await post({ update_id: 2, ...tg.groupText(-1601, 1, `/echo@${tg.username} 群里`) }, { 'x-telegram-bot-api-secret-token': secret });
    expect(group.status).toBe(200);
    await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '-1601');

    const chatter = await post({ update_id: 3, ...tg.groupText(-1602, 1, '闲聊') }, { 'x-telegram-bot-api-secret-token': secret });
    expect(chatter.status).toBe(200);

    const press = await post({ update_id: 4, ...tg.callbackQuery(601, 601, 101, 'echo.again|网钩') }, { 'x-telegram-bot-api-secret-token': secret });
    expect(press.status).toBe(200);
    const answered = await tg.waitForCall('answerCallbackQuery');
    expect(answered.body.text).toBe('已收到：网钩');
    await settle(100);
    expect(tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === '-1602')).toHaveLength(0);
  });

  it('refuses a wrong or missing secret token with 401 and does nothing', async () => {
    const before = tg.calls.length;
    const wrong = await post({ update_id: 10, ...tg.privateText(602, '/echo 不该回答') }, { 'x-telegram-bot-api-secret-token': 'nope' });
    expect(wrong.status).toBe(401);
    const missing = await post({ update_id: 11, ...tg.privateText(602, '/echo 不该回答') });
    expect(missing.status).toBe(401);
    await settle(100);
    expect(tg.calls.length).toBe(before);
  });

  it('answers 400 to a body that is not an update', async () => {
    const bad = await post('{not json', { 'x-telegram-bot-api-secret-token': secret });
    expect(bad.status).toBe(400);
    const noId = await post({ message: {} }, { 'x-telegram-bot-api-secret-token': secret });
    expect(noId.status).toBe(400);
  });

  it('reports the adapter in /healthz', async () => {
    bot.http.addHealthCheck('telegram', () => bot.adapter.health());
    const res = await fetch(bot.url.replace(TELEGRAM_WEBHOOK_PATH, '/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, components: { telegram: { ok: true, state: 'webhook' } } });
  });
});
