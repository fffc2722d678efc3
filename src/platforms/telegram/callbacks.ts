/**
 * Button payloads for Telegram's callback_data, which holds at most 64 bytes. Short ones travel
 * inline as `<action>|<value>`; longer ones are replaced by `~<token>`, a hash of the payload
 * kept in a store. The token is deterministic, so re-rendering the same button never grows the
 * store, and a Redis store lets a button sent by a worker process be pressed in the bot process.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../../store/redis.ts';
import { keyspace } from '../../store/redis.ts';

export const CALLBACK_DATA_MAX_BYTES = 64;
/** Long button payloads are kept this long; a press after that gets the stale-button answer. */
const TOKEN_TTL_S = 60 * 24 * 3600;
const MEMORY_MAX = 10_000;

export interface CallbackStore {
  put(token: string, payload: string): Promise<void>;
  get(token: string): Promise<string | undefined>;
}

/** In-process store (console, tests, and deployments without Redis): bounded, oldest dropped first. */
export class MemoryCallbackStore implements CallbackStore {
  private readonly map = new Map<string, string>();
  async put(token: string, payload: string): Promise<void> {
    this.map.delete(token);
    this.map.set(token, payload);
    if (this.map.size > MEMORY_MAX) this.map.delete(this.map.keys().next().value!);
  }
  async get(token: string): Promise<string | undefined> {
    return this.map.get(token);
  }
}

/** Shared store: keys `<prefix>:tgcb:<token>`, expiring after 60 days. */
export class RedisCallbackStore implements CallbackStore {
  private readonly key: (...p: string[]) => string;
  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = keyspace(prefix, 'tgcb');
  }
  async put(token: string, payload: string): Promise<void> {
    await this.redis.set(this.key(token), payload, 'EX', TOKEN_TTL_S);
  }
  async get(token: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(token))) ?? undefined;
  }
}

/** Encode one button's action and value into callback_data (≤ 64 bytes). */
export async function encodeCallback(store: CallbackStore, action: string, value: string): Promise<string> {
  const inline = `${action}|${value}`;
  if (!inline.startsWith('~') && Buffer.byteLength(inline, 'utf8') <= CALLBACK_DATA_MAX_BYTES) return inline;
  const token = `~${createHash('sha256').update(inline).digest('base64url').slice(0, 22)}`;
  await store.put(token, inline);
  return token;
}

/** Decode callback_data; undefined for data we never produced or whose token has expired. */
export async function decodeCallback(
  store: CallbackStore,
  data: string,
): Promise<{ action: string; value: string } | undefined> {
  const payload = data.startsWith('~') ? await store.get(data) : data;
  if (!payload) return undefined;
  const bar = payload.indexOf('|');
  if (bar <= 0) return undefined;
  return { action: payload.slice(0, bar), value: payload.slice(bar + 1) };
}
