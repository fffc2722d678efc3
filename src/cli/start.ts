/**
 * `xiezuo start` / `npm start`: the bot process. The environment decides what runs — Telegram
 * (TELEGRAM_BOT_TOKEN), Slack (SLACK_BOT_TOKEN), both side by side, or, with neither, the
 * console chat. One HTTP server always runs (webhooks, Slack HTTP mode, /healthz, APIs).
 * SIGINT/SIGTERM stop everything in reverse order and exit 0.
 *
 * Other parts join the process through `startHooks` (e.g. the delivery workers): each gets the
 * running context after the platforms are up and returns its stop function.
 */
import { describeTarget, redisTarget } from '../store/redis.ts';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { StartupError } from '../errors.ts';
import { HttpServer } from '../http/server.ts';
import { redisHealth } from '../http/redis-health.ts';
import type { StartContext, StartHook } from '../process.ts';
import { msg } from '../i18n/index.ts';
import { createLogger, logStrayRejections } from '../log.ts';
import { ConsoleChat, ConsoleSender } from '../platforms/console.ts';
// Type-only: each platform's SDK (grammy, Bolt — about half a second of start-up together) is
// loaded only when its token is set, so the console chat starts without either.
import type { SlackAdapter } from '../platforms/slack/adapter.ts';
import type { TelegramAdapter } from '../platforms/telegram/adapter.ts';
import type { Senders } from '../delivery/sender.ts';
import { closeWithin } from './shutdown.ts';
import { ensureRedis } from '../store/embedded-redis.ts';

/**
 * Parts started after the platforms, in order. Add one line per part. Each is imported when the
 * hooks run, not with this file: the workers (BullMQ's Worker), the queue dashboard (bull-board,
 * Express) and the rest are not on the way to the console chat's first answer.
 */
export const startHooks: Array<() => Promise<StartHook>> = [
  async () => (await import('../http/alert-api.ts')).alertApiHook,
  async () => (await import('../http/metrics.ts')).metricsHook,
  async () => (await import('../http/admin-ui.ts')).adminUiHook,
  async () => (await import('../../jobs/worker.ts')).workersHook,
];

/** Time Ctrl+D waits for a graceful stop when Redis is down (closing queues would wait forever). */
const CONSOLE_NO_REDIS_STOP_MS = 300;

export async function main(_argv: string[]): Promise<number> {
  let config = loadConfig();
  // The console chat shares the terminal with the log: unless LOG_LEVEL asks for it, the log
  // keeps quiet there (what needs saying is said in one Chinese line; errors reach the reply).
  const consoleChat = !config.TELEGRAM_BOT_TOKEN && !config.SLACK_BOT_TOKEN;
  const log = createLogger(consoleChat && !process.env.LOG_LEVEL ? 'silent' : config.LOG_LEVEL, {}, { format: config.LOG_FORMAT });
  logStrayRejections(log);
  const redis = await ensureRedis({ env: process.env, port: config.EMBEDDED_REDIS_PORT, dir: config.EMBEDDED_REDIS_DIR, log: log.child({ part: 'redis' }) });
  if (redis.kind === 'embedded') config = { ...config, REDIS_URL: redis.redis.url };
  // One plain line for the person at the terminal; the bot still answers questions without Redis.
  if (redis.kind === 'unavailable') process.stderr.write(`${redis.missing ? msg.startup.embeddedRedis.missing : msg.startup.embeddedRedis.failed(redis.reason)}\n`);
  const stopRedis = redis.kind === 'embedded' ? redis.redis.stop : async () => {};
  // One object shared with the services: adapters fill it in once they exist.
  const senders: Senders = {};
  const app = await createApp(config, { log, senders });
  const http = new HttpServer(log.child({ part: 'http' }));
  const redisCheck = redisHealth(app.services.redis);
  http.addHealthCheck('redis', redisCheck);

  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];

  let telegram: TelegramAdapter | undefined;
  let slack: SlackAdapter | undefined;
  if (config.TELEGRAM_BOT_TOKEN) {
    const [{ TelegramAdapter }, { callbackStore }] = await Promise.all([
      import('../platforms/telegram/adapter.ts'),
      import('../platforms/senders.ts'),
    ]);
    const callbacks = callbackStore(config, app.services.redis);
    telegram = new TelegramAdapter({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      mode: config.TELEGRAM_MODE,
      ...(config.TELEGRAM_WEBHOOK_SECRET ? { webhookSecret: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      ...(config.TELEGRAM_WEBHOOK_URL ? { webhookUrl: config.TELEGRAM_WEBHOOK_URL } : {}),
      router: app.router,
      services: app.services,
      log: log.child({ part: 'telegram' }),
      http,
      callbacks,
    });
    senders.telegram = telegram.sender;
    const t = telegram;
    http.addHealthCheck('telegram', () => t.health());
  }
  if (config.SLACK_BOT_TOKEN) {
    const { SlackAdapter } = await import('../platforms/slack/adapter.ts');
    slack = new SlackAdapter({
      botToken: config.SLACK_BOT_TOKEN,
      ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
      ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
      apiUrl: config.SLACK_API_URL,
      router: app.router,
      services: app.services,
      log: log.child({ part: 'slack' }),
      http,
    });
    senders.slack = slack.sender;
    const s = slack;
    http.addHealthCheck('slack', () => s.health());
  }
  if (consoleChat) senders.console = new ConsoleSender();

  const shutdown = async () => {
    for (const s of stops.reverse()) {
      try {
        await s.stop();
      } catch (e) {
        log.warn('stop failed', { part: s.name, err: e });
      }
    }
    await app.close().catch((e: unknown) => log.warn('app close failed', { err: e }));
    // Last: everything above may still write to it.
    await stopRedis().catch((e: unknown) => log.warn('embedded redis stop failed', { err: e }));
  };

  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn('second signal: exiting now', { signal });
        process.exit(1);
      }
      stopping = true;
      log.info('shutting down', { signal });
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  // The console chat answers as soon as the router and the knowledge base exist: what is typed
  // while the rest starts (HTTP, workers, dashboards) does not wait for it. Two turns of the
  // event loop let lines already waiting on stdin be read and answered before the remaining
  // parts are imported and started (their module loading blocks the thread for a while).
  let chat: ConsoleChat | undefined;
  let chatDone: Promise<void> | undefined;
  if (consoleChat) {
    const c = new ConsoleChat({ router: app.router, services: app.services });
    chat = c;
    // Ctrl+D ends the chat and the process; a signal closes the chat the same way.
    void stopped.then(() => c.close());
    chatDone = c.start();
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  }
  // The chat process opens the CJK font in the render worker now, not on the first picture asked for.
  void app.services.pictures?.warm().catch((e: unknown) => log.warn('pictures warm-up failed', { err: e }));

  try {
    try {
      await http.listen(config.HTTP_PORT, config.HTTP_HOST);
      stops.push({ name: 'http', stop: () => http.close() });
    } catch (e) {
      const reason = msg.startup.config.httpListenFailed(config.HTTP_HOST, config.HTTP_PORT, e instanceof Error ? e.message : String(e));
      // The console chat works without HTTP; the platforms' webhooks do not.
      if (!consoleChat) throw new StartupError(reason);
      log.warn('http disabled', { reason });
    }
    if (telegram) {
      await telegram.start();
      const t = telegram;
      stops.push({ name: 'telegram', stop: () => t.stop() });
    }
    if (slack) {
      await slack.start();
      const s = slack;
      stops.push({ name: 'slack', stop: () => s.stop() });
    }
    const ctx: StartContext = { config, app, http, senders, log };
    for (const load of startHooks) {
      const hook = await load();
      const stop = await hook.start(ctx);
      if (stop) stops.push({ name: hook.name, stop });
    }
  } catch (e) {
    chat?.close();
    await shutdown();
    throw e;
  }

  log.info('xiezuo started', {
    telegram: telegram ? config.TELEGRAM_MODE : 'off',
    slack: slack ? (config.SLACK_APP_TOKEN ? 'socket' : 'http') : 'off',
    console: consoleChat,
    http: http.port ?? 'off',
    // Sentinel/Cluster settings override REDIS_URL; the line says which one is in force.
    redis: describeTarget(redisTarget(config)),
  });

  let redisUp = true;
  if (chat && chatDone) {
    redisUp = (await redisCheck()).ok;
    // One line saying what works without Redis, instead of connection warnings in the prompt
    // (unless start-up has just said so, finding no redis-server to run).
    if (!redisUp && redis.kind !== 'unavailable') chat.notice(msg.platforms.consoleNoRedis);
    await chatDone;
  } else {
    await stopped;
  }
  // Without Redis a graceful stop cannot finish (queues wait for it): Ctrl+D exits at once.
  await closeWithin(shutdown, log, 0, redisUp ? undefined : CONSOLE_NO_REDIS_STOP_MS);
  return 0;
}
