/**
 * Slack edge: a Bolt App, fed either by Socket Mode (when SLACK_APP_TOKEN is set) or by our HTTP
 * server at POST /slack/events — one URL for event subscriptions, the /xiezuo slash command and
 * interactivity. HTTP requests are verified (signature + five-minute window) before Bolt sees
 * them; a bad one gets 401 and nothing else happens.
 *
 * What it answers: `/xiezuo <command> …` (as `/<command> …`; a question as plain text), app
 * mentions, direct messages, and presses of our buttons (block_actions).
 */
import { App, LogLevel, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { Logger as BoltLogger } from '@slack/bolt';
import type { Clock } from '../../clock.ts';
import { SendError, StartupError } from '../../errors.ts';
import type { HealthState, HttpResult, HttpServer } from '../../http/server.ts';
import { msg } from '../../i18n/index.ts';
import type { Logger } from '../../log.ts';
import type { Destination, Inbound, Reply } from '../../messages.ts';
import type { Router } from '../../router.ts';
import type { Services } from '../../services.ts';
import { withAnswerRetry } from '../answer-retry.ts';
import { type ReplayGuard, replayGuardOf } from '../replay.ts';
import { ChatQueue } from '../chat-queue.ts';
import type { RedisClient } from '../../store/redis.ts';
import { parseActionId, renderSlack, renderSlackFileFallback } from './render.ts';
import { SlackSender, createSlackClient, slackErrorCode, toSendError } from './sender.ts';
import { verifySlackSignature } from './verify.ts';

/** The one HTTP endpoint for Slack: Event Subscriptions, the slash command and Interactivity. */
export const SLACK_EVENTS_PATH = '/slack/events';
const SLACK_COMMAND = '/xiezuo';
/** Slack wants an answer within 3 s; ack a little before, whatever the listener is doing. */
const ACK_DEADLINE_MS = 2500;
/** Slash-command and interactivity bodies are small; events bigger than this are not ours. */
const SLACK_BODY_LIMIT = 256 * 1024;

export interface SlackAdapterOptions {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl: string;
  router: Router;
  services: Services;
  log: Logger;
  /** Needed in HTTP mode. */
  http?: HttpServer;
  /** For the signature window (tests move it). */
  clock?: Clock;
  /** Drops a retried event_id or a replayed signed request; default: one on the services' Redis. */
  replay?: ReplayGuard;
}

/**
 * What makes a Slack request the same request: its event_id (a retry carries the same one with a
 * new signature), else its signature (an HMAC over timestamp and body: only a byte-identical
 * replay shares it). Slash commands and button presses have no event_id.
 */
function slackReplayId(body: Record<string, unknown>, signature: string | undefined): string | undefined {
  if (typeof body.event_id === 'string' && body.event_id) return `slack:event:${body.team_id ?? ''}:${body.event_id}`;
  return signature ? `slack:sig:${signature}` : undefined;
}

/**
 * Text typed after `/xiezuo`, after a mention or in a DM → router text: empty → /help; a leading
 * known command name → that command; anything else stays a question.
 */
export function commandText(raw: string, knows: (name: string) => boolean): string {
  const text = raw.replace(/\s+/g, ' ').trim();
  if (!text) return '/help';
  if (text.startsWith('/') || text.startsWith('／')) return text;
  const first = text.split(' ', 1)[0]!;
  return knows(first) ? `/${text}` : text;
}

/** Remove `<@U123>` user mentions (ours, in app_mention) from Slack message text. */
export function stripMentions(text: string, botUserId: string | undefined): string {
  const re = botUserId ? new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(\|[^>]*)?>/;
  return text.replace(re, ' ').replace(/\s+/g, ' ').trim();
}

/** Slack escapes & < > in message text; the router should see what the user typed. */
function unescapeSlack(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.WARN;
  const join = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return {
    debug: (...m: unknown[]) => log.debug('bolt', { detail: join(m) }),
    info: (...m: unknown[]) => log.debug('bolt', { detail: join(m) }),
    warn: (...m: unknown[]) => log.warn('bolt', { detail: join(m) }),
    error: (...m: unknown[]) => log.error('bolt', { detail: join(m) }),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * A Bolt Receiver on our HTTP server: verifies, parses, answers Slack's handshakes, and hands
 * the rest to the App with an ack that becomes the HTTP response.
 */
class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private running = false;
  /** With Redis: each channel's events handled in order across bot processes (src/platforms/chat-queue.ts). */
  private readonly queue: ChatQueue | undefined;

  constructor(
    private readonly opts: {
      http: HttpServer;
      signingSecret: string;
      clock: Clock;
      log: Logger;
      replay?: ReplayGuard | undefined;
      redis?: { client: RedisClient; prefix: string } | undefined;
    },
  ) {
    this.queue =
      opts.redis && new ChatQueue({ redis: opts.redis.client, prefix: opts.redis.prefix, source: 'slack', log: opts.log, handle: (p) => this.handleQueued(p) });
    opts.http.route('POST', SLACK_EVENTS_PATH, (req) => this.handle(req.body, (n) => req.header(n), req.header('content-type')), {
      bodyLimit: SLACK_BODY_LIMIT,
    });
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    this.running = true;
    this.queue?.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.queue?.stop();
  }

  /** One event from the chat queue, acknowledged already (its HTTP 200 went out when it was queued). */
  private async handleQueued(payload: string): Promise<void> {
    const body = JSON.parse(payload) as Record<string, unknown>;
    try {
      await this.app?.processEvent({ body, ack: async () => {} });
    } catch (e) {
      this.opts.log.error('slack event failed', { err: e, type: body.type });
    }
  }

  async handle(raw: Buffer, header: (name: string) => string | undefined, contentType: string | undefined): Promise<HttpResult> {
    const { log } = this.opts;
    const failure = verifySlackSignature({
      signingSecret: this.opts.signingSecret,
      body: raw,
      signature: header('x-slack-signature'),
      timestamp: header('x-slack-request-timestamp'),
      nowMs: this.opts.clock.now(),
    });
    if (failure) {
      log.warn('slack request refused', { reason: failure });
      return { status: 401, body: { error: failure } };
    }
    if (!this.running || !this.app) return { status: 503, body: { error: 'not_ready' } };

    let body: Record<string, unknown>;
    try {
      body = parseSlackBody(raw.toString('utf8'), contentType);
    } catch (e) {
      log.warn('slack request malformed', { err: e });
      return { status: 400, body: { error: 'malformed_body' } };
    }
    if (body.ssl_check === '1') return { status: 200 };
    if (body.type === 'url_verification') return { status: 200, body: { challenge: body.challenge } };
    // Events (mentions, DMs) are answered by a message of ours, not in the HTTP response: queue
    // them per channel and acknowledge at once. Slash commands and presses answer in the ack.
    const event = body.event as { channel?: unknown } | undefined;
    if (this.queue && body.type === 'event_callback' && typeof body.event_id === 'string' && typeof event?.channel === 'string') {
      try {
        if (!(await this.queue.accept(`${String(body.team_id ?? '')}:${event.channel}`, body.event_id, JSON.stringify(body))))
          log.info('slack request replayed; dropped', { type: body.type, retry: header('x-slack-retry-num') });
        return { status: 200 };
      } catch (e) {
        // Redis unreachable: handle it here, unordered, rather than lose it.
        log.warn('slack chat queue unavailable; handling the event here', { err: e });
      }
    }
    const replayId = slackReplayId(body, header('x-slack-signature'));
    if (replayId && this.opts.replay && !(await this.opts.replay.first(replayId))) {
      log.info('slack request replayed; dropped', { type: body.type, retry: header('x-slack-retry-num') });
      return { status: 200 };
    }

    const app = this.app;
    return new Promise<HttpResult>((resolve) => {
      let answered = false;
      const answer = (r: HttpResult) => {
        if (answered) return false;
        answered = true;
        clearTimeout(timer);
        resolve(r);
        return true;
      };
      const timer = setTimeout(() => {
        if (answer({ status: 200 })) log.warn('slack listener slow to ack; acked for it', { type: body.type });
      }, ACK_DEADLINE_MS);
      const retryNum = header('x-slack-retry-num');
      const retryReason = header('x-slack-retry-reason');
      const event: ReceiverEvent = {
        body,
        ack: async (response?: unknown) => {
          if (response === undefined || response === '') answer({ status: 200 });
          else answer({ status: 200, body: response });
        },
        ...(retryNum ? { retryNum: Number(retryNum) } : {}),
        ...(retryReason ? { retryReason } : {}),
      };
      app
        .processEvent(event)
        .then(() => answer({ status: 200 }))
        .catch((e: unknown) => {
          log.error('slack event failed', { err: e, type: body.type });
          answer({ status: 200 });
        });
    });
  }
}

/** Slash commands and interactivity come form-encoded (interactivity as a JSON `payload` field); events as JSON. */
function parseSlackBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').includes('application/json')) {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object') throw new Error('body is not an object');
    return v as Record<string, unknown>;
  }
  const form = new URLSearchParams(text);
  const payload = form.get('payload');
  if (payload !== null) {
    const v = JSON.parse(payload) as unknown;
    if (!v || typeof v !== 'object') throw new Error('payload is not an object');
    return v as Record<string, unknown>;
  }
  return Object.fromEntries(form);
}

type AdapterState = 'created' | 'starting' | 'http' | 'socket' | 'stopped' | 'failed';

export class SlackAdapter {
  readonly app: App;
  readonly sender: SlackSender;
  private state: AdapterState = 'created';
  private botUserId: string | undefined;

  constructor(private readonly opts: SlackAdapterOptions) {
    const slackApiUrl = opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/`;
    const logger = boltLogger(opts.log);
    const common = {
      token: opts.botToken,
      logger,
      clientOptions: { slackApiUrl },
      deferInitialization: true,
    };
    const replay = opts.replay ?? replayGuardOf(opts.services, opts.log);
    if (opts.appToken) {
      this.app = new App({
        ...common,
        appToken: opts.appToken,
        socketMode: true,
        installerOptions: { clientOptions: { slackApiUrl } },
      });
    } else {
      if (!opts.http) throw new StartupError(msg.startup.connect.slackNeedsHttp);
      if (!opts.signingSecret) throw new StartupError(msg.startup.config.signingSecretRequired);
      const receiver = new SlackHttpReceiver({
        http: opts.http,
        signingSecret: opts.signingSecret,
        clock: opts.clock ?? opts.services.clock,
        log: opts.log,
        replay,
        redis: (opts.services as { redis?: RedisClient }).redis && { client: opts.services.redis, prefix: opts.services.config.REDIS_PREFIX },
      });
      this.app = new App({ ...common, receiver });
    }
    this.sender = new SlackSender(createSlackClient(opts.botToken, slackApiUrl), { log: opts.log });
    // Socket Mode redelivers an event it thinks unacknowledged with the same event_id.
    if (opts.appToken && replay) {
      this.app.use(async ({ body, next }) => {
        const id = slackReplayId(body as Record<string, unknown>, undefined);
        if (id && !(await replay.first(id))) {
          opts.log.info('slack event replayed; dropped', { id });
          return;
        }
        await next();
      });
    }
    this.register();
  }

  health(): HealthState {
    return { ok: this.state === 'http' || this.state === 'socket', state: this.state };
  }

  async start(): Promise<void> {
    this.state = 'starting';
    try {
      await this.app.init();
      const auth = await this.app.client.auth.test({ token: this.opts.botToken });
      this.botUserId = typeof auth.user_id === 'string' ? auth.user_id : undefined;
      await this.app.start();
    } catch (e) {
      this.state = 'failed';
      throw new StartupError(msg.startup.connect.slackFailed(e instanceof Error ? e.message : String(e), !!this.opts.appToken));
    }
    this.state = this.opts.appToken ? 'socket' : 'http';
    this.opts.log.info('slack started', { mode: this.state, botUserId: this.botUserId });
  }

  async stop(): Promise<void> {
    if (this.state === 'http' || this.state === 'socket') await this.app.stop().catch(() => {});
    this.state = 'stopped';
  }

  private knows = (name: string): boolean => this.opts.router.find(name) !== undefined;

  private register(): void {
    const { app } = this;
    const { router, services, log } = this.opts;

    app.error(async (error) => {
      log.error('slack listener failed', { err: error });
    });

    app.command(SLACK_COMMAND, async ({ command, ack, respond }) => {
      await ack();
      const inbound = this.inbound({
        channel: command.channel_id,
        user: command.user_id,
        userName: command.user_name,
        text: commandText(command.text ?? '', this.knows),
        isPrivate: command.channel_id.startsWith('D') || command.channel_name === 'directmessage',
      });
      const reply = await router.handle(inbound, services);
      await this.deliver(inbound.user.id, inbound.chat, reply, (m) => respond({ response_type: 'in_channel', text: m.text, blocks: m.blocks }));
    });

    app.event('app_mention', async ({ event }) => {
      // A mention inside a DM also arrives as a message event; answer it there, once.
      if (event.channel.startsWith('D') || ('bot_id' in event && event.bot_id)) return;
      await this.answerTyped({ channel: event.channel, thread: event.thread_ts, user: event.user, text: event.text, ts: event.ts, isPrivate: false });
    });

    app.message(async ({ message }) => {
      // Only what a person typed in a DM: no edits, joins, bot posts (ours included).
      if (message.subtype !== undefined || message.channel_type !== 'im' || message.bot_id) return;
      await this.answerTyped({ channel: message.channel, user: message.user, text: message.text, ts: message.ts, isPrivate: true });
    });

    app.action({ type: 'block_actions' }, async ({ ack, body, action, respond }) => {
      await ack();
      // `container` is untyped in Bolt (StringIndexed): read its string fields one by one.
      const container = (key: string): string | undefined => (typeof body.container[key] === 'string' ? body.container[key] : undefined);
      const actionId = action.type === 'button' ? action.action_id : undefined;
      const commandAction = actionId ? parseActionId(actionId) : undefined;
      const channel = body.channel?.id ?? container('channel_id');
      const messageTs = container('message_ts') ?? body.message?.ts;
      const thread = container('thread_ts') ?? (typeof body.message?.thread_ts === 'string' ? body.message.thread_ts : undefined);
      const toast = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      if (!commandAction || !channel || action.type !== 'button') {
        log.info('slack stale or foreign action', { actionType: action.type, actionId, user: body.user.id });
        await toast(msg.common.staleButton);
        return;
      }
      const inbound = this.inbound({
        channel,
        ...(thread ? { thread } : {}),
        user: body.user.id,
        userName: body.user.username ?? body.user.name,
        text: '',
        isPrivate: channel.startsWith('D'),
        ...(messageTs ? { messageId: messageTs } : {}),
      });
      inbound.press = { action: commandAction, value: action.value ?? '', ...(messageTs ? { messageId: messageTs } : {}) };
      const result = await router.press(inbound, services);
      if (result.toast) await toast(result.toast);
      if (result.edit) {
        const [m] = renderSlack(result.edit);
        if (m) await respond({ replace_original: true, text: m.text, blocks: m.blocks });
      }
      if (result.reply) await this.deliver(inbound.user.id, inbound.chat, result.reply, (m) => respond({ response_type: 'in_channel', replace_original: false, text: m.text, blocks: m.blocks }));
    });
  }

  /** What a person typed to the bot (a mention in a channel, a DM), less the mention, answered where it was typed. */
  private async answerTyped(m: { channel: string; thread?: string | undefined; user?: string | undefined; text?: string | undefined; ts: string; isPrivate: boolean }): Promise<void> {
    const inbound = this.inbound({
      channel: m.channel,
      ...(m.thread ? { thread: m.thread } : {}),
      user: m.user ?? '',
      text: commandText(unescapeSlack(stripMentions(m.text ?? '', this.botUserId)), this.knows),
      isPrivate: m.isPrivate,
      messageId: m.ts,
    });
    const reply = await this.opts.router.handle(inbound, this.opts.services);
    await this.deliver(inbound.user.id, inbound.chat, reply);
  }

  private inbound(p: {
    channel: string;
    thread?: string;
    user: string;
    userName?: string;
    text: string;
    isPrivate: boolean;
    messageId?: string;
  }): Inbound {
    const chat: Destination = { platform: 'slack', chatId: p.channel, ...(p.thread ? { threadId: p.thread } : {}) };
    this.opts.log.debug('slack inbound', { channel: p.channel, user: p.user, text: p.text.slice(0, 100) });
    return {
      platform: 'slack',
      chat,
      chatType: p.isPrivate ? 'private' : 'group',
      user: { platform: 'slack', id: p.user, ...(p.userName ? { name: p.userName } : {}) },
      text: p.text,
      ...(p.messageId ? { messageId: p.messageId } : {}),
      receivedAt: new Date(this.opts.services.clock.now()),
    };
  }

  /**
   * Post a reply with chat.postMessage (a real message the bot can edit later). Where the bot
   * may not post — a channel it was not invited to, someone else's DM — fall back to the
   * slash command's or button's response_url when there is one.
   */
  private async deliver(
    user: string,
    to: Destination,
    reply: Reply,
    fallback?: (m: { text: string; blocks: ReturnType<typeof renderSlack>[number]['blocks'] }) => Promise<unknown>,
  ): Promise<void> {
    try {
      await withAnswerRetry(() => this.sender.send(to, reply));
      return;
    } catch (e) {
      const err = e instanceof SendError ? e : toSendError(e);
      const code = slackErrorCode(err);
      if (!fallback || !(code === 'not_in_channel' || code === 'channel_not_found')) {
        // The answer is lost for good: say whose, so an operator can follow up by hand.
        this.opts.log.error('slack reply lost', { err, channel: to.chatId, user, answer: (reply.title ?? reply.blocks[0]?.text ?? '').slice(0, 200) });
        return;
      }
    }
    try {
      // A response_url takes messages only, so a file goes as its text.
      for (const m of [...renderSlack(reply), ...(reply.file ? renderSlackFileFallback(reply.file) : [])]) await fallback(m);
    } catch (e) {
      this.opts.log.error('slack reply lost', { err: e, channel: to.chatId, user, via: 'response_url' });
    }
  }
}
