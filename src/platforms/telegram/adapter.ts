/**
 * Telegram edge: a grammy Bot fed by long polling (@grammyjs/runner) or by the webhook route on
 * our HTTP server. It decides whether a message is addressed to the bot, translates it to an
 * Inbound, hands it to the router and sends the Reply back through the TelegramSender.
 *
 * Addressing: private chats — every text. Groups — commands (`/pair 大连`, `/pair@thisbot 大连`;
 * a bare `/cmd` the router does not know is left for other bots), messages mentioning the bot,
 * and replies to the bot's messages. Everything else in a group is ignored.
 *
 * Webhook mode with Redis (several processes behind a balancer): each update is queued in its
 * chat's Redis list and answered 200 at once; one process at a time handles a chat's updates in
 * order (src/platforms/chat-queue.ts), and live answers keep Telegram's limits across processes
 * (src/delivery/live-limits.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Api, Bot, type Context, webhookCallback } from 'grammy';
import type { BotCommand, CallbackQuery, Message, Update, UserFromGetMe } from 'grammy/types';
import type { HealthState, HttpServer } from '../../http/server.ts';
import { msg } from '../../i18n/index.ts';
import type { Logger } from '../../log.ts';
import type { Inbound, Reply } from '../../messages.ts';
import type { Router } from '../../router.ts';
import type { Services } from '../../services.ts';
import { StartupError } from '../../errors.ts';
import { withAnswerRetry } from '../answer-retry.ts';
import { type ReplayGuard, replayGuardOf } from '../replay.ts';
import { ChatQueue } from '../chat-queue.ts';
import { LiveLimits } from '../../delivery/live-limits.ts';
import { type CallbackStore, decodeCallback } from './callbacks.ts';
import { TelegramSender, toSendError } from './sender.ts';

/** Where Telegram posts updates in webhook mode (setWebhook with this URL path). */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Telegram answers callback queries with at most 200 characters of toast. */
const TOAST_MAX = 200;
/** How long start-up waits for Telegram to answer getMe. */
const INIT_TIMEOUT_MS = 30_000;

export interface TelegramAdapterOptions {
  token: string;
  apiRoot: string;
  mode: 'polling' | 'webhook';
  webhookSecret?: string;
  /** Public URL Telegram should post to; when set, setWebhook is called at start. */
  webhookUrl?: string;
  router: Router;
  services: Services;
  log: Logger;
  /** Needed in webhook mode. */
  http?: HttpServer;
  callbacks: CallbackStore;
  /** Long-poll wait in seconds (Telegram allows up to 50; tests use less). */
  pollTimeoutS?: number;
  /** Drops a redelivered update_id; default: one on the services' Redis, when there is one. */
  replay?: ReplayGuard;
}

/** What an incoming group/private message amounts to once addressing is decided. */
type Addressed = { text: string } | undefined;

/**
 * Decide whether a message is for this bot and return its text with our mention removed and
 * a `/cmd@thisbot` suffix dropped; undefined when the bot should stay quiet.
 */
function addressedText(m: Message, me: UserFromGetMe, knows: (command: string) => boolean): Addressed {
  const raw = m.text ?? m.caption;
  const entities = m.entities ?? m.caption_entities ?? [];
  const isPrivate = m.chat.type === 'private';
  if (raw === undefined) return undefined;
  const username = me.username.toLowerCase();

  const cmd = entities.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (cmd) {
    const token = raw.slice(0, cmd.length);
    const at = token.indexOf('@');
    const name = (at >= 0 ? token.slice(1, at) : token.slice(1)).toLowerCase();
    const target = at >= 0 ? token.slice(at + 1).toLowerCase() : undefined;
    // In a group, `/cmd@otherbot` is for another bot; in a private chat it can only be for us.
    if (target !== undefined && target !== username && !isPrivate) return undefined;
    if (!isPrivate && target === undefined && !knows(name)) return undefined; // maybe another bot's
    // Telegram ends a command entity at the first non-Latin character (`/pair大连`): add the space.
    const rest = raw.slice(cmd.length).trim();
    return { text: rest ? `/${name} ${rest}` : `/${name}` };
  }

  let mentioned = false;
  let text = raw;
  // Remove our mentions back to front so earlier offsets stay valid.
  for (const e of [...entities].sort((a, b) => b.offset - a.offset)) {
    const piece = raw.slice(e.offset, e.offset + e.length);
    const ours =
      (e.type === 'mention' && piece.toLowerCase() === `@${username}`) ||
      (e.type === 'text_mention' && e.user.id === me.id);
    if (ours) {
      mentioned = true;
      text = `${text.slice(0, e.offset)} ${text.slice(e.offset + e.length)}`;
    }
  }
  text = text.replace(/\s+/g, ' ').trim();
  if (isPrivate) return { text };
  const replyToBot = m.reply_to_message?.from?.id === me.id;
  if (!mentioned && !replyToBot) return undefined;
  return { text };
}

type AdapterState = 'created' | 'starting' | 'polling' | 'webhook' | 'stopped' | 'failed';

/** Bot API methods that send a message, and so count against Telegram's per-chat and per-bot limits. */
const SENDING = new Set(['sendMessage', 'sendPhoto', 'sendDocument']);

/** The chat an update belongs to; undefined for those without one (an inline button's press). */
function chatOfUpdate(u: Update): string | undefined {
  const id = u.message?.chat.id ?? u.edited_message?.chat.id ?? u.callback_query?.message?.chat.id;
  return id === undefined ? undefined : String(id);
}

export class TelegramAdapter {
  readonly bot: Bot;
  readonly sender: TelegramSender;
  /** Live answers: through the Redis-global limits in webhook mode, else the sender itself. */
  private readonly answers: TelegramSender;
  /** Webhook mode with Redis: each chat's updates handled in order across every bot process. */
  private readonly queue: ChatQueue | undefined;
  /** Updates the chat queue hands over: claimed (replay-checked) when they were queued. */
  private readonly queued = new WeakSet<Update>();
  private state: AdapterState = 'created';
  private lastError: string | undefined;
  private runner: RunnerHandle | undefined;

  constructor(private readonly opts: TelegramAdapterOptions) {
    const apiRoot = opts.apiRoot.replace(/\/+$/, '');
    this.bot = new Bot(opts.token, { client: { apiRoot, timeoutSeconds: 60 } });
    this.sender = new TelegramSender(this.bot.api, opts.callbacks);
    // Only webhooks are replayed (a retried POST, several processes behind a balancer); polling's
    // getUpdates offset already hands each update out once, so it pays no Redis round trip.
    const replay = opts.mode === 'webhook' ? (opts.replay ?? replayGuardOf(opts.services, opts.log)) : undefined;
    // update_id is unique per bot; the bot id (the token's first part) keeps two bots on one Redis apart.
    const botId = opts.token.split(':', 1)[0] ?? '';
    const redis = opts.mode === 'webhook' ? (opts.services as { redis?: Services['redis'] }).redis : undefined;
    const prefix = opts.services.config.REDIS_PREFIX;
    this.queue = redis && new ChatQueue({ redis, prefix, source: `telegram:${botId}`, log: opts.log, handle: (p) => this.handleQueued(p) });
    this.answers = redis ? new TelegramSender(this.limitedApi(new LiveLimits(redis, prefix, opts.services.config, opts.log)), opts.callbacks) : this.sender;
    if (replay) {
      this.bot.use(async (ctx, next) => {
        if (this.queued.has(ctx.update) || await replay.first(`telegram:${botId}:${ctx.update.update_id}`)) return next();
        opts.log.info('telegram update replayed; dropped', { update: ctx.update.update_id });
      });
    }
    // The runner handles updates concurrently; one chat's messages are still answered in order
    // (across processes, the chat queue keeps that order; this keeps it for the rest).
    this.bot.use(sequentialize((ctx: Context) => (ctx.chat ? String(ctx.chat.id) : undefined)));
    this.bot.on('callback_query', (ctx) => this.onPress(ctx));
    this.bot.on('message', (ctx) => this.onMessage(ctx));
    this.bot.catch((err) => {
      opts.log.error('telegram update failed', { err: err.error, update: err.ctx.update.update_id });
    });
  }

  /**
   * A second client for live answers whose sending calls first take their slots in the
   * Redis-global limits (src/delivery/live-limits.ts). The bot's own `api` stays unpaced: the
   * delivery workers in this process send through it behind the send gate, which paces them.
   */
  private limitedApi(limits: LiveLimits): Api {
    const api = new Api(this.opts.token, { apiRoot: this.opts.apiRoot.replace(/\/+$/, ''), timeoutSeconds: 60 });
    api.config.use(async (prev, method, payload, signal) => {
      const chatId = (payload as { chat_id?: unknown }).chat_id;
      if (!SENDING.has(method) || chatId === undefined) return prev(method, payload, signal);
      return limits.send({ platform: 'telegram', chatId: String(chatId) }, () => prev(method, payload, signal));
    });
    return api;
  }

  /** One update from the chat queue: the whole middleware stack, the reply sent, before the next. */
  private async handleQueued(payload: string): Promise<void> {
    const update = JSON.parse(payload) as Update;
    this.queued.add(update);
    try {
      await this.bot.handleUpdate(update);
    } catch (e) {
      this.opts.log.error('telegram update failed', { err: e, update: update.update_id });
    }
  }

  health(): HealthState {
    const ok = this.state === 'polling' || this.state === 'webhook';
    return this.lastError ? { ok, state: this.state, error: this.lastError } : { ok, state: this.state };
  }

  /** The bot's @username, known after start(). */
  get username(): string | undefined {
    return this.bot.isInited() ? this.bot.botInfo.username : undefined;
  }

  async start(): Promise<void> {
    const { log } = this.opts;
    this.state = 'starting';
    try {
      // grammy retries getMe through network trouble; give up after a while with a clear reason.
      const signal = AbortSignal.timeout(INIT_TIMEOUT_MS);
      await this.bot.init(signal as Parameters<Bot['init']>[0]).catch((e: unknown) => {
        throw signal.aborted ? new Error(msg.startup.connect.telegramNoAnswer(INIT_TIMEOUT_MS / 1000)) : e;
      });
    } catch (e) {
      this.state = 'failed';
      throw new StartupError(msg.startup.connect.telegramFailed(e instanceof Error ? e.message : String(e)));
    }
    try {
      await this.bot.api.setMyCommands(this.commandList());
    } catch (e) {
      // The command menu is a convenience: the bot answers commands without it.
      log.warn('telegram setMyCommands failed', { err: e });
    }
    if (this.opts.mode === 'webhook') this.startWebhook();
    else await this.startPolling();
    log.info('telegram started', { mode: this.opts.mode, username: this.bot.botInfo.username });
  }

  async stop(): Promise<void> {
    const r = this.runner;
    this.runner = undefined;
    // Set first: the runner's task settles during stop() and must not read as a crash.
    this.state = 'stopped';
    if (r?.isRunning()) await r.stop();
    await this.queue?.stop();
  }

  /** Commands for Telegram's menu: names must match [a-z0-9_]{1,32}, descriptions ≤ 256 chars. */
  commandList(): BotCommand[] {
    return this.opts.router.commands
      .filter((c) => /^[a-z0-9_]{1,32}$/.test(c.name))
      .map((c) => ({ command: c.name, description: (c.summary || c.name).slice(0, 256) }));
  }

  private async startPolling(): Promise<void> {
    // A webhook left over from an earlier deployment would make getUpdates fail with 409.
    await this.bot.api.deleteWebhook().catch((e: unknown) => this.opts.log.warn('telegram deleteWebhook failed', { err: e }));
    this.runner = run(this.bot, {
      runner: {
        fetch: { timeout: this.opts.pollTimeoutS ?? 30, allowed_updates: ['message', 'callback_query'] },
        // A constant pause between failed polls: the default doubles without bound.
        retryInterval: 2000,
      },
    });
    this.state = 'polling';
    void this.runner.task()?.then(
      () => this.pollingEnded(undefined),
      (err: unknown) => this.pollingEnded(err),
    );
  }

  /**
   * The runner gave up. A 409 Conflict means another process polls with this token: polling
   * is single-instance (Telegram hands getUpdates to one consumer), so say so rather than
   * fight over updates; several bot processes need webhook mode (README "Scaling out").
   */
  private pollingEnded(err: unknown): void {
    if (this.state !== 'polling') return;
    this.state = 'failed';
    const conflict = typeof err === 'object' && err !== null && (err as { error_code?: unknown }).error_code === 409;
    if (conflict) {
      this.lastError = 'another process is polling with this bot token (409 Conflict)';
      this.opts.log.error('telegram polling: another process polls this bot; polling mode runs in one process only — stop the other one, or use TELEGRAM_MODE=webhook for several', { err });
    } else {
      this.lastError = 'polling stopped';
      this.opts.log.error('telegram polling stopped unexpectedly', err === undefined ? {} : { err });
    }
  }

  private startWebhook(): void {
    const { http, webhookSecret, log } = this.opts;
    if (!http) throw new StartupError(msg.startup.connect.telegramWebhookNeedsHttp);
    if (!webhookSecret) throw new StartupError(msg.startup.connect.telegramWebhookSecretRequired);
    const handle = webhookCallback(this.bot, 'callback', {
      secretToken: webhookSecret,
      // Answer Telegram before its own timeout; the update keeps being handled.
      onTimeout: 'return',
      timeoutMilliseconds: 8000,
    });
    const expected = Buffer.from(webhookSecret, 'utf8');
    http.route('POST', TELEGRAM_WEBHOOK_PATH, async (req) => {
      const given = Buffer.from(req.header(SECRET_HEADER) ?? '', 'utf8');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        log.warn('telegram webhook refused: bad secret token', { hasHeader: req.header(SECRET_HEADER) !== undefined });
        return { status: 401, body: { error: 'unauthorized' } };
      }
      const update = req.json();
      if (!update || typeof update !== 'object' || typeof (update as { update_id?: unknown }).update_id !== 'number') {
        log.warn('telegram webhook: malformed update', { body: req.text().slice(0, 200) });
        return { status: 400, body: { error: 'malformed_update' } };
      }
      const chat = chatOfUpdate(update as Update);
      if (this.queue && chat !== undefined) {
        const id = (update as Update).update_id;
        try {
          if (!(await this.queue.accept(chat, String(id), req.text()))) log.info('telegram update replayed; dropped', { update: id });
          return { status: 200, body: {} };
        } catch (e) {
          // Redis unreachable: handle it here (the replay guard lets it through too) rather than lose it.
          log.warn('telegram chat queue unavailable; handling the update here', { err: e, update: id });
        }
      }
      let refused = false;
      try {
        await handle(update, () => {}, req.header(SECRET_HEADER), () => {
          refused = true;
        });
      } catch (e) {
        // Answer 200 anyway: Telegram would redeliver a failing update forever.
        log.error('telegram webhook update failed', { err: e, update: (update as { update_id: number }).update_id });
      }
      return refused ? { status: 401, body: { error: 'unauthorized' } } : { status: 200, body: {} };
    });
    this.state = 'webhook';
    this.queue?.start();
    if (this.opts.webhookUrl) {
      void this.bot.api
        .setWebhook(this.opts.webhookUrl, { secret_token: webhookSecret, allowed_updates: ['message', 'callback_query'] })
        .then(() => log.info('telegram webhook set', { url: this.opts.webhookUrl }))
        .catch((e: unknown) => {
          this.lastError = `setWebhook: ${e instanceof Error ? e.message : String(e)}`;
          log.error('telegram setWebhook failed', { err: e });
        });
    }
  }

  private async onMessage(ctx: Context): Promise<void> {
    const m = ctx.message;
    if (!m || m.from?.is_bot) return;
    const { router, services, log } = this.opts;
    const me = this.bot.botInfo;
    const addressed = addressedText(m, me, (name) => router.find(name) !== undefined);
    const isPrivate = m.chat.type === 'private';
    if (!addressed) {
      if (isPrivate) await this.answer(m, { blocks: [{ text: msg.platforms.textOnly }], tone: 'error' });
      return;
    }
    // Telegram sends /start when someone first opens the bot (with a deep-link payload at times).
    const text = /^\/start(\s|$)/.test(addressed.text) && !router.find('start') ? '/help' : addressed.text;
    const inbound: Inbound = {
      platform: 'telegram',
      chat: {
        platform: 'telegram',
        chatId: String(m.chat.id),
        ...(m.is_topic_message && m.message_thread_id !== undefined ? { threadId: String(m.message_thread_id) } : {}),
      },
      chatType: isPrivate ? 'private' : 'group',
      user: {
        platform: 'telegram',
        id: String(m.from?.id ?? m.chat.id),
        ...(m.from ? { name: [m.from.first_name, m.from.last_name].filter(Boolean).join(' ') } : {}),
      },
      text,
      messageId: String(m.message_id),
      receivedAt: new Date(m.date * 1000),
    };
    log.debug('telegram inbound', { chat: inbound.chat.chatId, user: inbound.user.id, text: inbound.text.slice(0, 100) });
    const reply = await router.handle(inbound, services);
    await this.answer(m, reply);
  }

  /** Send a reply next to the message it answers; a failure is logged, never thrown at grammy. */
  private async answer(m: Message, reply: Reply): Promise<void> {
    const to = {
      platform: 'telegram' as const,
      chatId: String(m.chat.id),
      ...(m.is_topic_message && m.message_thread_id !== undefined ? { threadId: String(m.message_thread_id) } : {}),
    };
    try {
      await withAnswerRetry(() => this.answers.send(to, reply, m.chat.type === 'private' ? {} : { replyTo: m.message_id }));
    } catch (e) {
      // The answer is lost for good: say whose, so an operator can follow up by hand.
      this.opts.log.error('telegram reply lost', {
        err: e,
        chat: to.chatId,
        user: m.from?.id,
        question: (m.text ?? m.caption ?? '').slice(0, 200),
        answer: (reply.title ?? reply.blocks[0]?.text ?? '').slice(0, 200),
      });
    }
  }

  private async onPress(ctx: Context): Promise<void> {
    const q = ctx.callbackQuery;
    if (!q) return;
    const { router, services, log } = this.opts;
    const decoded = q.data ? await decodeCallback(this.opts.callbacks, q.data) : undefined;
    const message = q.message;
    if (!decoded || !message) {
      log.info('telegram stale button', { data: q.data?.slice(0, 64), user: q.from.id });
      await this.answerQuery(q, msg.common.staleButton);
      return;
    }
    const chat = {
      platform: 'telegram' as const,
      chatId: String(message.chat.id),
      ...('is_topic_message' in message && message.is_topic_message && message.message_thread_id !== undefined
        ? { threadId: String(message.message_thread_id) }
        : {}),
    };
    const inbound: Inbound = {
      platform: 'telegram',
      chat,
      chatType: message.chat.type === 'private' ? 'private' : 'group',
      user: { platform: 'telegram', id: String(q.from.id), name: [q.from.first_name, q.from.last_name].filter(Boolean).join(' ') },
      text: '',
      press: { action: decoded.action, value: decoded.value, messageId: String(message.message_id) },
      messageId: String(message.message_id),
      receivedAt: new Date(),
    };
    const result = await router.press(inbound, services);
    await this.answerQuery(q, result.toast);
    if (result.edit) {
      try {
        await this.answers.edit(chat, String(message.message_id), result.edit);
      } catch (e) {
        // Too old to edit (or deleted): say it in a new message instead.
        log.info('telegram edit failed, sending instead', { err: toSendError(e).message, chat: chat.chatId });
        await this.sendLogged(chat, result.edit, q.from.id);
      }
    }
    if (result.reply) await this.sendLogged(chat, result.reply, q.from.id);
  }

  private async answerQuery(q: CallbackQuery, toast: string | undefined): Promise<void> {
    try {
      await this.bot.api.answerCallbackQuery(q.id, toast ? { text: toast.slice(0, TOAST_MAX) } : {});
    } catch (e) {
      // Queries older than a few minutes can no longer be answered; nothing else depends on it.
      this.opts.log.info('telegram answerCallbackQuery failed', { err: e });
    }
  }

  private async sendLogged(to: { platform: 'telegram'; chatId: string; threadId?: string }, reply: Reply, user?: number): Promise<void> {
    try {
      await withAnswerRetry(() => this.answers.send(to, reply));
    } catch (e) {
      this.opts.log.error('telegram reply lost', { err: e, chat: to.chatId, user, answer: (reply.title ?? reply.blocks[0]?.text ?? '').slice(0, 200) });
    }
  }
}
