/**
 * Roles granted in chat (`/role grant`), kept in Redis, on top of the bootstrap admins from the
 * environment. Implements Access, so the router's role check reads it.
 *
 * Rules: admin implies every role; any granted role implies official (whoever coordinates may
 * also ask); OPEN_ASK keeps asking open to everyone; the console is the local operator and holds
 * every role.
 */
import type { RedisClient } from '../store/redis.ts';
import type { Access } from './access.ts';
import { type UserRef, userKey } from '../messages.ts';
import { Refusal } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import { ROLES, type Role } from './roles.ts';
import { keyspace } from '../store/redis.ts';

export interface RoleHolder {
  user: string;
  roles: Role[];
  /** True when the user is an admin from the environment (cannot be revoked in chat). */
  bootstrap?: boolean;
}

export interface RoleStoreOptions {
  redis: RedisClient;
  prefix: string;
  /** Bootstrap admins from the environment (ADMINS); they can never be revoked in chat. */
  admins: Set<string>;
  /** OPEN_ASK: everyone may ask questions without the official role. */
  openAsk: boolean;
}

export class RoleStore implements Access {
  private readonly key: (...p: string[]) => string;

  private readonly redis: RedisClient;
  private readonly admins: Set<string>;
  private readonly openAsk: boolean;

  constructor(o: RoleStoreOptions) {
    this.redis = o.redis;
    this.admins = o.admins;
    this.openAsk = o.openAsk;
    this.key = keyspace(o.prefix, 'roles');
  }

  /** Whether the user holds the role, directly or through admin / bootstrap. */
  async hasRole(user: UserRef, role: Role): Promise<boolean> {
    if (user.platform === 'console') return true;
    const who = userKey(user);
    if (this.admins.has(who)) return true;
    if (role === 'official' && this.openAsk) return true;
    const held = await this.rolesOf(who);
    if (held.includes('admin') || held.includes(role)) return true;
    return role === 'official' && held.length > 0;
  }

  /** Roles stored for a user key (`telegram:123`), without the implied ones. */
  async rolesOf(who: string): Promise<Role[]> {
    const roles = await this.redis.smembers(this.key('user', who));
    return ROLES.filter((r) => roles.includes(r));
  }

  isBootstrapAdmin(who: string): boolean {
    return this.admins.has(who);
  }

  /** Grant; false when the user already held it. */
  async grant(who: string, role: Role): Promise<boolean> {
    const [[, added]] = (await this.redis
      .multi()
      .sadd(this.key('user', who), role)
      .sadd(this.key('holders'), who)
      .exec()) as [[Error | null, number]];
    return added === 1;
  }

  /** Revoke; false when the user did not hold it. */
  async revoke(who: string, role: Role): Promise<boolean> {
    const removed = await this.redis.srem(this.key('user', who), role);
    if ((await this.redis.scard(this.key('user', who))) === 0) await this.redis.srem(this.key('holders'), who);
    return removed === 1;
  }

  /** Everyone holding a role: bootstrap admins first, then granted roles by user key. */
  async list(): Promise<RoleHolder[]> {
    const holders = (await this.redis.smembers(this.key('holders'))).sort();
    const out: RoleHolder[] = [...this.admins].sort().map((user) => ({ user, roles: ['admin'], bootstrap: true }));
    for (const user of holders) {
      const roles = await this.rolesOf(user);
      if (roles.length) out.push({ user, roles });
    }
    return out;
  }
}

/**
 * The one role check, used by the router for commands, subcommands and button actions. Refuses
 * with a Refusal (the router audits it as `<action>.denied`) unless the caller holds `role`.
 */
export async function requireRole(access: Access, user: UserRef, role: Role): Promise<void> {
  if (await access.hasRole(user, role)) return;
  const name = msg.common.roleNames[role] ?? role;
  throw new Refusal(msg.common.refused(name), msg.roles.deniedDetail(name));
}
