/** `/role grant|revoke|list`: admins manage who holds which role. */
import type { ParsedArgs } from '../src/args.ts';
import { type CommandContext, audit, defineCommand } from '../src/command.ts';
import { Refusal, UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { type Reply, parseDestination } from '../src/messages.ts';
import { ROLES, type Role, isRole } from '../src/roles/roles.ts';

const t = msg.roles;

/** Role as typed: its code (coordinator) or its Chinese name (协调员). */
export function parseRole(text: string): Role | undefined {
  const s = text.trim().toLowerCase();
  if (isRole(s)) return s;
  return ROLES.find((r) => msg.common.roleNames[r] === text.trim());
}

/**
 * `telegram:123` (a user, same shape as a destination key without thread). Only ids the platform
 * can send: Telegram user ids are positive integers, Slack user ids start with U or W — a grant
 * to `telegram:@wang` or `slack:C0123` (a channel) could never match anyone.
 */
function parseUser(text: string): string | undefined {
  const d = parseDestination(text);
  if (!d || d.threadId) return undefined;
  if (d.platform === 'telegram' && !/^[1-9]\d{0,15}$/.test(d.chatId)) return undefined;
  if (d.platform === 'slack' && !/^[UW][A-Z0-9]{2,}$/.test(d.chatId)) return undefined;
  return `${d.platform}:${d.chatId}`;
}

async function list(ctx: CommandContext): Promise<Reply> {
  const names = msg.common.roleNames;
  const holders = await ctx.services.roles.list();
  const lines = holders.map((h) => `${h.user}：${h.roles.map((r) => names[r] ?? r).join('、')}${h.bootstrap ? t.bootstrapMark : ''}`);
  return { title: t.listTitle, blocks: [{ text: lines.length ? lines.join('\n') : t.listEmpty }], tone: 'answer' };
}

/** `grant|revoke <user> <role>`: the user and role, validated. */
function userAndRole(a: ParsedArgs): { user: string; role: Role; roleName: string } {
  const [who, roleText] = a.words;
  if (!who || !roleText) throw new UserError(t.missing, t.usage);
  const user = parseUser(who);
  if (!user) throw new UserError(t.badUser(who), t.usage);
  const role = parseRole(roleText);
  if (!role) throw new UserError(t.badRole(roleText), t.usage);
  return { user, role, roleName: msg.common.roleNames[role] ?? role };
}

async function grant(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const { user, role, roleName } = userAndRole(a);
  const added = await ctx.services.roles.grant(user, role);
  await audit(ctx, 'role.grant', `${user} ${role}`);
  return { blocks: [{ text: added ? t.granted(user, roleName) : t.alreadyHas(user, roleName) }], tone: 'notice' };
}

async function revoke(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const { user, role, roleName } = userAndRole(a);
  // A refused privileged change: audited by the router as role.revoke.denied.
  if (role === 'admin' && ctx.services.roles.isBootstrapAdmin(user)) throw new Refusal(t.bootstrapAdmin(user), `${user} admin (bootstrap)`);
  const removed = await ctx.services.roles.revoke(user, role);
  await audit(ctx, 'role.revoke', `${user} ${role}`);
  return { blocks: [{ text: removed ? t.revoked(user, roleName) : t.notHeld(user, roleName) }], tone: 'notice' };
}

export const role = defineCommand({
  name: 'role',
  aliases: ['角色'],
  role: 'admin',
  summary: t.summary,
  usage: t.usage,
  subcommands: [
    { names: ['list'], usage: t.usage, run: list },
    { names: ['grant'], usage: t.usage, run: grant },
    { names: ['revoke'], usage: t.usage, run: revoke },
  ],
  defaultSubcommand: 'list',
});
