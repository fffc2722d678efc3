/**
 * Who may do what. The router asks `hasRole` before running a command that needs a role.
 * Bootstrap admins come from the environment; the Redis-backed role store extends this.
 */
import type { UserRef } from '../messages.ts';
import { userKey } from '../messages.ts';
import type { Role } from './roles.ts';

export interface Access {
  hasRole(user: UserRef, role: Role): Promise<boolean>;
}

export function parseAdmins(list: string): Set<string> {
  return new Set(
    list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** Access from the environment alone: ADMINS hold every role; asking is open when OPEN_ASK. */
export class EnvAccess implements Access {
  constructor(
    private readonly admins: Set<string>,
    private readonly openAsk: boolean,
  ) {}
  async hasRole(user: UserRef, role: Role): Promise<boolean> {
    if (this.admins.has(userKey(user))) return true;
    if (role === 'official') return this.openAsk || user.platform === 'console';
    return user.platform === 'console';
  }
}
