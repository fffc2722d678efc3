/**
 * Append-only audit log of privileged actions: who, what, when, from which chat. A Redis stream
 * capped at AUDIT_MAX entries (approximate trimming keeps XADD O(1)); entries are never edited.
 */
import type { RedisClient } from '../store/redis.ts';
import type { Clock } from '../clock.ts';
import { type Destination, type UserRef, destinationKey, userKey } from '../messages.ts';
import { keyspace } from '../store/redis.ts';

export interface AuditEntry {
  id: string;
  at: number;
  /** `telegram:123` */
  user: string;
  userName?: string;
  /** `telegram:-100123` */
  chat: string;
  /** Dotted action name, e.g. `role.grant`, `group.add`, `broadcast.confirm`, `alert.trigger`. */
  action: string;
  /** Short human detail: the target and arguments. */
  detail: string;
}

/** Who acted when it is not a chat user: another system through the HTTP API (`api:<source>`). */
interface AuditActor {
  key: string;
  name?: string;
}

export interface AuditInput {
  user: UserRef | AuditActor;
  /** The chat it came from, or a channel name for actions from outside any chat (`api`). */
  chat: Destination | string;
  action: string;
  detail: string;
}

export interface AuditLogOptions {
  redis: RedisClient;
  prefix: string;
  clock: Clock;
  /** Entries kept (the stream is trimmed approximately to this length). */
  max: number;
}

export class AuditLog {
  private readonly key: string;

  private readonly redis: RedisClient;
  private readonly clock: Clock;
  private readonly max: number;

  constructor(o: AuditLogOptions) {
    this.redis = o.redis;
    this.clock = o.clock;
    this.max = o.max;
    this.key = keyspace(o.prefix, 'audit')('log');
  }

  /** Append one entry; returns its id. */
  async record(e: AuditInput): Promise<string> {
    const fields = [
      'at', String(this.clock.now()),
      'user', 'key' in e.user ? e.user.key : userKey(e.user),
      'chat', typeof e.chat === 'string' ? e.chat : destinationKey(e.chat),
      'action', e.action,
      'detail', e.detail,
    ];
    if (e.user.name) fields.push('userName', e.user.name);
    const id = await this.redis.xadd(this.key, 'MAXLEN', '~', String(this.max), '*', ...fields);
    return id ?? '';
  }

  /** The latest entries, newest first. */
  async latest(count = 20, action?: string): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', action ? count * 20 : count);
    const out: AuditEntry[] = [];
    for (const [id, flat] of rows) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      if (action && f.action !== action && !f.action?.startsWith(`${action}.`)) continue;
      const entry: AuditEntry = {
        id,
        at: Number(f.at),
        user: f.user ?? '',
        chat: f.chat ?? '',
        action: f.action ?? '',
        detail: f.detail ?? '',
      };
      if (f.userName) entry.userName = f.userName;
      out.push(entry);
      if (out.length >= count) break;
    }
    return out;
  }
}
