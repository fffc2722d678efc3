/**
 * A local HTTP server that plays the Telegram Bot API for tests: point grammy at it with
 * `client.apiRoot` (or TELEGRAM_API_ROOT=fake.apiRoot for a spawned process).
 *
 *   const tg = await startFakeTelegram();            // bot @xiezuo_bot, id 999, any token
 *   tg.pushUpdate(tg.privateText(42, '/pair 大连'));   // served by getUpdates (long polling)
 *   const sent = await tg.waitForCall('sendMessage', (c) => c.body.chat_id === 42);
 *   tg.fail({ method: 'sendMessage', chatId: -100, status: 429, retryAfter: 3, times: 1 });
 *   tg.calls / tg.callsTo('sendMessage') / tg.delivered('sendMessage')   // everything recorded
 *   await tg.close();
 *
 * What it answers:
 * - getMe → the bot (username `xiezuo_bot` unless told otherwise);
 * - getUpdates → queued updates from `offset` on; with none it holds the request until one is
 *   pushed or min(timeout, maxPollMs) passes (long polling, kept short for tests);
 * - sendMessage / editMessageText / sendDocument / sendPhoto → a Message with a fresh message_id
 *   (per chat, increasing); answerCallbackQuery, setMyCommands, deleteWebhook, setWebhook and
 *   any other method → `true`.
 * Every call is recorded in `calls` with its parsed body (JSON, form or multipart fields), the
 * HTTP status given and the time, so tests can check rates and exact payloads.
 *
 * Faults (`fail`): the first matching rule (by method and/or chat_id) answers instead, `times`
 * times (default: always): 429 with `parameters.retry_after`, 500, 403 (blocked), 400 (chat not
 * found) — the real API's JSON error shapes — or `network` (socket destroyed, no answer).
 * `delayMs` slows every answer (for concurrency and timeout tests).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type StandInControls, callLog, faultRules } from './stand-in.ts';

export interface TelegramCall {
  method: string;
  token: string;
  body: Record<string, any>;
  /** HTTP status answered (0 for `network` faults). */
  status: number;
  at: number;
}

interface TelegramFault {
  method?: string;
  chatId?: string | number;
  status: 429 | 500 | 502 | 403 | 400 | 409 | 'network';
  /** Seconds, for 429 (default 1). */
  retryAfter?: number;
  description?: string;
  /** How many calls to fail (default: every matching call until cleared). */
  times?: number;
}

export interface FakeTelegramOptions {
  username?: string;
  botId?: number;
  /** Upper bound for one held getUpdates request. */
  maxPollMs?: number;
  /** Delay before every answer. */
  delayMs?: number;
}

type Update = Record<string, any> & { update_id: number };

export interface FakeTelegram extends StandInControls<TelegramCall, TelegramFault> {
  /** Give this to grammy as apiRoot (no trailing slash). */
  apiRoot: string;
  port: number;
  username: string;
  botId: number;
  /** Queue an update for getUpdates; update_id is assigned when absent. Returns the update. */
  pushUpdate(update: Record<string, any>): Update;
  /** Update builders shaped like the real ones. */
  privateText(userId: number, text: string): Record<string, any>;
  groupText(chatId: number, userId: number, text: string, extra?: Record<string, any>): Record<string, any>;
  callbackQuery(chatId: number, userId: number, messageId: number, data: string): Record<string, any>;
  close(): Promise<void>;
}

/** Entities Telegram would attach: a bot_command at the start, @mentions anywhere. */
function entitiesFor(text: string): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  if (cmd) out.push({ type: 'bot_command', offset: 0, length: cmd[0].length });
  const re = /@[A-Za-z0-9_]{5,32}/g;
  for (const m of text.matchAll(re)) {
    if (cmd && m.index < cmd[0].length) continue;
    out.push({ type: 'mention', offset: m.index, length: m[0].length });
  }
  return out;
}

function parseMultipart(raw: Buffer, contentType: string): Record<string, any> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  const out: Record<string, any> = { multipart: true };
  if (!b) return out;
  for (const part of raw.toString('latin1').split(`--${b}`)) {
    // grammy writes `content-disposition:form-data;name="x";filename=y` (no spaces, no quotes).
    const m = /name="([^"]+)"(?:;\s*filename="?([^"\r\n]*)"?)?[\s\S]*?\r\n\r\n([\s\S]*)\r\n$/.exec(part);
    if (!m) continue;
    const value = Buffer.from(m[3]!, 'latin1').toString('utf8');
    out[m[1]!] = m[2] !== undefined ? { filename: m[2], content: value } : value;
  }
  return out;
}

function parseBody(raw: Buffer, contentType: string): Record<string, any> {
  if (!raw.length) return {};
  if (contentType.includes('multipart/form-data')) return parseMultipart(raw, contentType);
  const text = raw.toString('utf8');
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    return { raw: text };
  }
}

export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const username = opts.username ?? 'xiezuo_bot';
  const botId = opts.botId ?? 999;
  const maxPollMs = opts.maxPollMs ?? 300;
  let delayMs = opts.delayMs ?? 0;
  const log = callLog<TelegramCall>('fake telegram');
  const { calls, record } = log;
  const updates: Update[] = [];
  let nextUpdateId = 1;
  const faults = faultRules<TelegramFault>();
  const pollers = new Set<() => void>();
  const messageIds = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();

  const nextMessageId = (chat: string) => {
    const n = (messageIds.get(chat) ?? 100) + 1;
    messageIds.set(chat, n);
    return n;
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const chatOf = (body: Record<string, any>) => {
    const id = body.chat_id;
    const n = Number(id);
    const type = n > 0 ? 'private' : 'supergroup';
    return Number.isFinite(n) ? { id: n, type, ...(type === 'private' ? { first_name: 'U' } : { title: 'G' }) } : { id, type: 'supergroup', title: 'G' };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const m = /^\/bot([^/]+)\/([A-Za-z]+)/.exec(req.url ?? '');
    if (!m) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const token = decodeURIComponent(m[1]!);
    const method = m[2]!;
    const body = parseBody(raw, String(req.headers['content-type'] ?? ''));
    if (delayMs && method !== 'getUpdates') await new Promise((r) => setTimeout(r, delayMs));

    const fault = faults.take((f) => (f.method === undefined || f.method === method) && (f.chatId === undefined || String(f.chatId) === String(body.chat_id)));
    if (fault) {
      const status = fault.status;
      if (status === 'network') {
        record({ method, token, body, status: 0, at: Date.now() });
        req.socket.destroy();
        return;
      }
      record({ method, token, body, status, at: Date.now() });
      if (status === 429) {
        const retry_after = fault.retryAfter ?? 1;
        return reply(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retry_after}`, parameters: { retry_after } });
      }
      const description =
        fault.description ??
        (status === 403
          ? 'Forbidden: bot was blocked by the user'
          : status === 400
            ? 'Bad Request: chat not found'
            : status === 409
              ? 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'
              : 'Internal Server Error');
      return reply(res, status, { ok: false, error_code: status, description });
    }

    if (method === 'getUpdates') {
      const offset = Number(body.offset ?? 0);
      const limit = Number(body.limit ?? 100);
      const pending = () => updates.filter((u) => u.update_id >= offset).slice(0, limit);
      // Confirmed updates are gone for good, as on the real server.
      if (offset > 0) for (let i = updates.length - 1; i >= 0; i--) if (updates[i]!.update_id < offset) updates.splice(i, 1);
      let ready = pending();
      if (!ready.length) {
        const waitMs = Math.min(Number(body.timeout ?? 0) * 1000, maxPollMs);
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            pollers.delete(done);
            req.socket.off('close', done);
            resolve();
          };
          const t = setTimeout(done, waitMs);
          pollers.add(done);
          req.socket.once('close', done);
        });
        ready = pending();
      }
      if (res.writableEnded || req.socket.destroyed) return;
      record({ method, token, body, status: 200, at: Date.now() });
      return reply(res, 200, { ok: true, result: ready });
    }

    record({ method, token, body, status: 200, at: Date.now() });
    const now = Math.floor(Date.now() / 1000);
    switch (method) {
      case 'getMe':
        return reply(res, 200, {
          ok: true,
          result: { id: botId, is_bot: true, first_name: '协作', username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false },
        });
      case 'sendMessage':
      case 'sendDocument':
      case 'sendPhoto': {
        const chat = chatOf(body);
        const message_id = nextMessageId(String(body.chat_id));
        const result: Record<string, any> = { message_id, date: now, chat, from: { id: botId, is_bot: true, first_name: '协作', username } };
        if (typeof body.text === 'string') result.text = body.text;
        if (body.reply_markup) result.reply_markup = typeof body.reply_markup === 'string' ? JSON.parse(body.reply_markup) : body.reply_markup;
        return reply(res, 200, { ok: true, result });
      }
      case 'editMessageText':
        return reply(res, 200, {
          ok: true,
          result: { message_id: Number(body.message_id), date: now, edit_date: now, chat: chatOf(body), text: body.text },
        });
      default:
        return reply(res, 200, { ok: true, result: true });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) reply(res, 500, { ok: false, error_code: 500, description: String(e) });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  let nextUserMessage = 1;
  const user = (id: number) => ({ id, is_bot: false, first_name: `用户${id}`, language_code: 'zh-hans' });

  const fake: FakeTelegram = {
    apiRoot: `http://127.0.0.1:${port}`,
    port,
    username,
    botId,
    calls,
    callsTo: log.callsTo,
    delivered: log.delivered,
    waitForCall: log.waitForCall,
    pushUpdate(u) {
      const update = { ...u, update_id: typeof u.update_id === 'number' ? u.update_id : nextUpdateId } as Update;
      nextUpdateId = Math.max(nextUpdateId, update.update_id) + 1;
      updates.push(update);
      for (const p of [...pollers]) p();
      return update;
    },
    fail: faults.fail,
    clearFaults: faults.clearFaults,
    setDelay(ms) {
      delayMs = ms;
    },
    privateText(userId, text) {
      const entities = entitiesFor(text);
      return {
        message: {
          message_id: nextUserMessage++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: userId, type: 'private', first_name: `用户${userId}` },
          from: user(userId),
          text,
          ...(entities.length ? { entities } : {}),
        },
      };
    },
    groupText(chatId, userId, text, extra = {}) {
      const entities = entitiesFor(text);
      return {
        message: {
          message_id: nextUserMessage++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: 'supergroup', title: '沪连协作群' },
          from: user(userId),
          text,
          ...(entities.length ? { entities } : {}),
          ...extra,
        },
      };
    },
    callbackQuery(chatId, userId, messageId, data) {
      return {
        callback_query: {
          id: `cq${nextUserMessage++}`,
          from: user(userId),
          chat_instance: 'ci1',
          data,
          message: {
            message_id: messageId,
            date: Math.floor(Date.now() / 1000),
            chat: chatId > 0 ? { id: chatId, type: 'private', first_name: 'U' } : { id: chatId, type: 'supergroup', title: '沪连协作群' },
            from: { id: botId, is_bot: true, first_name: '协作', username },
            text: '…',
          },
        },
      };
    },
    async close() {
      for (const p of [...pollers]) p();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
