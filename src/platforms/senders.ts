/**
 * Senders for a process that delivers but does not listen (`xiezuo worker`, tools): one per
 * platform the environment configures, each with its own API client. `xiezuo start` uses the
 * adapters' senders instead (same classes, sharing the adapters' clients).
 */
import type { RedisClient } from '../store/redis.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Senders } from '../delivery/sender.ts';
import { type CallbackStore, MemoryCallbackStore, RedisCallbackStore } from './telegram/callbacks.ts';
import { TelegramSender, createTelegramApi } from './telegram/sender.ts';
import { SlackSender, createSlackClient } from './slack/sender.ts';
import { ConsoleSender } from './console.ts';

/** The Telegram button store: Redis when there is one, so any process can decode any button. */
export function callbackStore(config: Config, redis?: RedisClient): CallbackStore {
  return redis ? new RedisCallbackStore(redis, config.REDIS_PREFIX) : new MemoryCallbackStore();
}

export function createPlatformSenders(config: Config, opts: { redis?: RedisClient; console?: boolean; log?: Logger } = {}): Senders {
  const senders: Senders = {};
  if (config.TELEGRAM_BOT_TOKEN) {
    senders.telegram = new TelegramSender(createTelegramApi(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT), callbackStore(config, opts.redis));
  }
  if (config.SLACK_BOT_TOKEN) {
    // The log reports a failed file upload (answered with the file's text instead).
    const log = opts.log?.child({ part: 'slack' });
    senders.slack = new SlackSender(createSlackClient(config.SLACK_BOT_TOKEN, config.SLACK_API_URL), log ? { log } : {});
  }
  if (opts.console) senders.console = new ConsoleSender();
  return senders;
}
