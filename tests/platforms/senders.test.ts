/**
 * The platform Senders against the stand-ins: what they post, and how each failure is classified
 * (retry later with the platform's wait, or never deliverable).
 */
import { keyspace } from '../../src/store/keys.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendError } from '../../src/errors.ts';
import type { Reply } from '../../src/messages.ts';
import { Redis } from 'ioredis';
import { MemoryCallbackStore, RedisCallbackStore, decodeCallback, encodeCallback } from '../../src/platforms/telegram/callbacks.ts';
import { TelegramSender, createTelegramApi } from '../../src/platforms/telegram/sender.ts';
import { botApiFetch } from '../../src/platforms/telegram/transport.ts';
import { Api } from 'grammy';
import { SlackSender, createSlackClient } from '../../src/platforms/slack/sender.ts';
import { freePort, startRedis } from '../support/redis-server.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.ts';

const notice: Reply = { title: '通知', blocks: [{ text: '沪连联席会议 12 月 1 日召开' }], buttons: [[{ label: '收到', action: 'ack.yes', value: 'A-1' }]] };

async function sendError(p: Promise<unknown>): Promise<SendError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SendError);
    return e as SendError;
  }
  throw new Error('expected a SendError');
}

describe('TelegramSender', () => {
  let tg: FakeTelegram;
  let sender: TelegramSender;
  beforeAll(async () => {
    tg = await startFakeTelegram();
    sender = new TelegramSender(createTelegramApi('123:TEST', tg.apiRoot), new MemoryCallbackStore());
  });
  afterAll(() => tg.close());

  it('sends HTML with the keyboard and edits by message id', async () => {
    const sent = await sender.send({ platform: 'telegram', chatId: '-100200', threadId: '7' }, notice);
    const call = tg.delivered('sendMessage').at(-1)!;
    expect(call.body).toMatchObject({ chat_id: '-100200', message_thread_id: 7, parse_mode: 'HTML' });
    expect(call.body.reply_markup.inline_keyboard[0][0]).toEqual({ text: '收到', callback_data: 'ack.yes|A-1' });
    await sender.edit({ platform: 'telegram', chatId: '-100200' }, sent.messageId, { blocks: [{ text: '已送达 3/5' }] });
    const edit = tg.delivered('editMessageText').at(-1)!;
    expect(edit.body).toMatchObject({ chat_id: '-100200', message_id: Number(sent.messageId), text: '已送达 3/5' });
  });

  it('sends a reply’s file as a document after the text', async () => {
    await sender.send({ platform: 'telegram', chatId: '77' }, { blocks: [{ text: '日程' }], file: { name: 'meeting.ics', mime: 'text/calendar', content: 'BEGIN:VCALENDAR' } });
    const doc = tg.delivered('sendDocument').at(-1)!;
    expect(doc.body.multipart).toBe(true);
    expect(doc.body.chat_id).toBe('77');
    // grammy names the file part and points at it with attach://<name>.
    const part = String(doc.body.document).replace(/^attach:\/\//, '');
    expect(doc.body[part]).toMatchObject({ filename: 'meeting.ics', content: 'BEGIN:VCALENDAR' });
  });

  it('treats "message is not modified" as a successful edit', async () => {
    tg.fail({ method: 'editMessageText', status: 400, description: 'Bad Request: message is not modified', times: 1 });
    await expect(sender.edit({ platform: 'telegram', chatId: '5' }, '9', { blocks: [{ text: 'x' }] })).resolves.toBeUndefined();
  });

  it('classifies 429 (with retry_after), 5xx, 403, 400 chat not found and network failures', async () => {
    tg.fail({ method: 'sendMessage', chatId: -1, status: 429, retryAfter: 7, times: 1 });
    const e429 = await sendError(sender.send({ platform: 'telegram', chatId: '-1' }, notice));
    expect(e429).toMatchObject({ retryAfterMs: 7000, permanent: false, platformCode: 429 });

    tg.fail({ method: 'sendMessage', chatId: -2, status: 500, times: 1 });
    const e500 = await sendError(sender.send({ platform: 'telegram', chatId: '-2' }, notice));
    expect(e500.permanent).toBe(false);
    expect(e500.retryAfterMs).toBeGreaterThan(0);
    expect(e500.platformCode).toBe(500);

    tg.fail({ method: 'sendMessage', chatId: 3, status: 403 });
    const e403 = await sendError(sender.send({ platform: 'telegram', chatId: '3' }, notice));
    expect(e403).toMatchObject({ permanent: true, platformCode: 403, retryAfterMs: undefined });

    tg.fail({ method: 'sendMessage', chatId: -4, status: 400 });
    const e400 = await sendError(sender.send({ platform: 'telegram', chatId: '-4' }, notice));
    expect(e400).toMatchObject({ permanent: true, platformCode: 400 });

    tg.fail({ method: 'sendMessage', chatId: -5, status: 'network', times: 1 });
    const eNet = await sendError(sender.send({ platform: 'telegram', chatId: '-5' }, notice));
    expect(eNet.permanent).toBe(false);
    expect(eNet.retryAfterMs).toBeGreaterThan(0);
  });

  it('classifies a server that is not there as retry-later', async () => {
    const port = await freePort();
    const dead = new TelegramSender(createTelegramApi('123:TEST', `http://127.0.0.1:${port}`), new MemoryCallbackStore());
    const e = await sendError(dead.send({ platform: 'telegram', chatId: '1' }, notice));
    expect(e.permanent).toBe(false);
    expect(e.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('SlackSender', () => {
  let slack: FakeSlack;
  let sender: SlackSender;
  beforeAll(async () => {
    slack = await startFakeSlack();
    sender = new SlackSender(createSlackClient('xoxb-test', slack.apiUrl));
  });
  afterAll(() => slack.close());

  it('posts Block Kit in the thread and updates by ts', async () => {
    const sent = await sender.send({ platform: 'slack', chatId: 'C1', threadId: '1700000000.000100' }, notice);
    const post = slack.delivered('chat.postMessage').at(-1)!;
    expect(post.body).toMatchObject({ channel: 'C1', thread_ts: '1700000000.000100' });
    expect(post.body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '通知' } });
    expect(post.body.text).toContain('沪连联席会议');
    expect(sent.messageId).toMatch(/^\d+\.\d{6}$/);
    await sender.edit({ platform: 'slack', chatId: 'C1' }, sent.messageId, { blocks: [{ text: '已送达 5/5' }] });
    const upd = slack.delivered('chat.update').at(-1)!;
    expect(upd.body).toMatchObject({ channel: 'C1', ts: sent.messageId });
    expect(upd.body.text).toContain('已送达 5/5');
  });

  it('classifies 429 (Retry-After), 5xx, network and Slack error codes', async () => {
    slack.fail({ method: 'chat.postMessage', channel: 'C429', status: 429, retryAfter: 3, times: 1 });
    const e429 = await sendError(sender.send({ platform: 'slack', chatId: 'C429' }, notice));
    expect(e429).toMatchObject({ retryAfterMs: 3000, permanent: false });
    // Exactly one attempt: the sender leaves waiting to the delivery job.
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C429')).toHaveLength(1);

    slack.fail({ method: 'chat.postMessage', channel: 'C500', status: 500, times: 1 });
    const e500 = await sendError(sender.send({ platform: 'slack', chatId: 'C500' }, notice));
    expect(e500.permanent).toBe(false);
    expect(e500.retryAfterMs).toBeGreaterThan(0);

    slack.fail({ method: 'chat.postMessage', channel: 'CNET', status: 'network', times: 1 });
    const eNet = await sendError(sender.send({ platform: 'slack', chatId: 'CNET' }, notice));
    expect(eNet.permanent).toBe(false);

    for (const code of ['channel_not_found', 'not_in_channel', 'is_archived', 'account_inactive', 'invalid_auth']) {
      slack.fail({ method: 'chat.postMessage', channel: `C_${code}`, status: 'error', error: code });
      const e = await sendError(sender.send({ platform: 'slack', chatId: `C_${code}` }, notice));
      expect(e.permanent, code).toBe(true);
      expect(e.message).toContain(code);
    }

    slack.fail({ method: 'chat.postMessage', channel: 'CINT', status: 'error', error: 'internal_error', times: 1 });
    const eInt = await sendError(sender.send({ platform: 'slack', chatId: 'CINT' }, notice));
    expect(eInt.permanent).toBe(false);
  });
});

describe('RedisCallbackStore', () => {
  it('lets a button encoded by one process be decoded by another', async () => {
    const server = await startRedis();
    const a = new Redis(server.url);
    const b = new Redis(server.url);
    try {
      const long = '沪滇协作联席会议第二十三次全体会议'.repeat(3);
      const data = await encodeCallback(new RedisCallbackStore(a, 'cbtest'), 'broadcast.confirm', long);
      expect(data.startsWith('~')).toBe(true);
      expect(await decodeCallback(new RedisCallbackStore(b, 'cbtest'), data)).toEqual({ action: 'broadcast.confirm', value: long });
      expect(await b.ttl(keyspace('cbtest', 'tgcb')(data))).toBeGreaterThan(0);
      expect(await decodeCallback(new RedisCallbackStore(b, 'other'), data)).toBeUndefined();
    } finally {
      a.disconnect();
      b.disconnect();
      await server.dispose();
    }
  });
});

describe('Bot API transport (grammy on undici)', () => {
  it('a call the server never answers: grammy’s timeout aborts the request and the sender says retry later', async () => {
    const { createServer } = await import('node:http');
    const hung = createServer(() => undefined);
    let closed = false;
    hung.on('connection', (socket) => socket.on('close', () => (closed = true)));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const { port } = hung.address() as { port: number };
    try {
      const api = new Api('123:TEST', { apiRoot: `http://127.0.0.1:${port}`, timeoutSeconds: 1, fetch: botApiFetch });
      const e = await sendError(new TelegramSender(api, new MemoryCallbackStore()).send({ platform: 'telegram', chatId: '1' }, notice));
      expect(e.permanent).toBe(false);
      expect(e.retryAfterMs).toBeGreaterThan(0);
      // The abort reached the socket: the request does not linger after grammy gave up.
      for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
      expect(closed).toBe(true);
    } finally {
      hung.closeAllConnections();
      await new Promise((r) => hung.close(r));
    }
  });

  it('a non-JSON error page (a proxy’s 502) is a network failure: retry later', async () => {
    const { createServer } = await import('node:http');
    const proxy = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const { port } = proxy.address() as { port: number };
    try {
      const res = await botApiFetch(`http://127.0.0.1:${port}/bot1:X/getMe`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(502);
      expect(res.ok).toBe(false);
      await expect(res.json()).rejects.toThrow();
      const sender = new TelegramSender(createTelegramApi('123:TEST', `http://127.0.0.1:${port}`), new MemoryCallbackStore());
      const e = await sendError(sender.send({ platform: 'telegram', chatId: '1' }, notice));
      expect(e.permanent).toBe(false);
      expect(e.retryAfterMs).toBeGreaterThan(0);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});
