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
import { type App, createApp } from '../app.ts';
import { loadConfig, type Config } from '../config.ts';
import { StartupError } from '../errors.ts';
import { type HealthState, HttpServer } from '../http/server.ts';
import type { StartContext, StartHook } from '../process.ts';
import { msg } from '../i18n/index.ts';
import { createLogger, logStrayRejections, type Logger } from '../log.ts';
import { ConsoleChat, ConsoleSender } from '../platforms/console.ts';
import { callbackStore } from '../platforms/senders.ts';
import { SlackAdapter } from '../platforms/slack/adapter.ts';
import { TelegramAdapter } from '../platforms/telegram/adapter.ts';
import type { Senders } from '../delivery/sender.ts';
import { alertApiHook } from '../http/alert-api.ts';
import { workersHook } from '../../jobs/worker.ts';
import { closeWithin } from './shutdown.ts';

/** Parts started after the platforms, in order. Add one line per part. */
export const startHooks: StartHook[] = [alertApiHook, workersHook];

const REDIS_PING_TIMEOUT_MS = 500;

/** /healthz entry for Redis: PING with a short timeout. */
function redisHealth(app: App): () => Promise<HealthState> {
  return async () => {
    const redis = app.services.redis;
    if (!redis) return { ok: false, state: 'not configured' };
    let timer: NodeJS.Timeout | undefined;
    try {
      const pong = await Promise.race([
        redis.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), REDIS_PING_TIMEOUT_MS);
        }),
      ]);
      return { ok: pong === 'PONG', state: pong === 'PONG' ? 'ok' : String(pong) };
    } catch (e) {
      return { ok: false, state: e instanceof Error && e.message === 'timeout' ? 'timeout' : 'down', status: redis.status };
    } finally {
      clearTimeout(timer);
    }
  };
}

export async function main(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  logStrayRejections(log);
  // One object shared with the services: adapters fill it in once they exist.
  const senders: Senders = {};
  const app = await createApp(config, { log, senders });
  const http = new HttpServer(log.child({ part: 'http' }));
  http.addHealthCheck('redis', redisHealth(app));

  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const useConsole = !config.TELEGRAM_BOT_TOKEN && !config.SLACK_BOT_TOKEN;
  const callbacks = callbackStore(config, app.services.redis);

  let telegram: TelegramAdapter | undefined;
  let slack: SlackAdapter | undefined;
  if (config.TELEGRAM_BOT_TOKEN) {
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
  if (useConsole) senders.console = new ConsoleSender();

  const shutdown = async () => {
    for (const s of stops.reverse()) {
      try {
        await s.stop();
      } catch (e) {
        log.warn('stop failed', { part: s.name, err: e });
      }
    }
    await app.close().catch((e: unknown) => log.warn('app close failed', { err: e }));
  };

  try {
    try {
      await http.listen(config.HTTP_PORT, config.HTTP_HOST);
      stops.push({ name: 'http', stop: () => http.close() });
    } catch (e) {
      const reason = msg.startup.config.httpListenFailed(config.HTTP_HOST, config.HTTP_PORT, e instanceof Error ? e.message : String(e));
      // The console chat works without HTTP; the platforms' webhooks do not.
      if (!useConsole) throw new StartupError(reason);
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
    for (const hook of startHooks) {
      const stop = await hook.start(ctx);
      if (stop) stops.push({ name: hook.name, stop });
    }
  } catch (e) {
    await shutdown();
    throw e;
  }

  log.info('xiezuo started', {
    telegram: telegram ? config.TELEGRAM_MODE : 'off',
    slack: slack ? (config.SLACK_APP_TOKEN ? 'socket' : 'http') : 'off',
    console: useConsole,
    http: http.port ?? 'off',
    // Sentinel/Cluster settings override REDIS_URL; the line says which one is in force.
    redis: describeTarget(redisTarget(config)),
  });

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

  if (useConsole) {
    const chat = new ConsoleChat({ router: app.router, services: app.services });
    // Ctrl+D ends the chat and the process; a signal closes the chat the same way.
    void stopped.then(() => chat.close());
    await chat.start();
  } else {
    await stopped;
  }
  await closeWithin(shutdown, log, 0);
  return 0;
}
