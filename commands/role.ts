/** `/role grant|revoke|list`: admins manage who holds which role. */
import { z } from 'zod';
import { defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { type Reply, parseDestination } from '../src/messages.ts';
import { ROLES, type Role, isRole } from '../src/roles.ts';

const t = msg.roles;

const args = z.object({
  text: z.string(),
  words: z.array(z.string()),
  flags: z.record(z.string(), z.union([z.string(), z.literal(true)])),
});

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

export const role = defineCommand({
  name: 'role',
  aliases: ['角色'],
  role: 'admin',
  summary: t.summary,
  usage: t.usage,
  args,
  async run(ctx, a): Promise<Reply> {
    const { services, inbound } = ctx;
    const [sub = 'list', who, roleText] = a.words;
    const names = msg.common.roleNames;
    if (sub === 'list') {
      const holders = await services.roles.list();
      const lines = holders.map(
        (h) => `${h.user}：${h.roles.map((r) => names[r] ?? r).join('、')}${h.bootstrap ? t.bootstrapMark : ''}`,
      );
      return { title: t.listTitle, blocks: [{ text: lines.length ? lines.join('\n') : t.listEmpty }], tone: 'answer' };
    }
    if (sub !== 'grant' && sub !== 'revoke') throw new UserError(t.unknownSub(sub), t.usage);
    if (!who || !roleText) throw new UserError(t.missing, t.usage);
    const user = parseUser(who);
    if (!user) throw new UserError(t.badUser(who), t.usage);
    const role = parseRole(roleText);
    if (!role) throw new UserError(t.badRole(roleText), t.usage);
    const roleName = names[role] ?? role;
    if (sub === 'grant') {
      const added = await services.roles.grant(user, role);
      await services.audit.record({ user: inbound.user, chat: inbound.chat, action: 'role.grant', detail: `${user} ${role}` });
      return { blocks: [{ text: added ? t.granted(user, roleName) : t.alreadyHas(user, roleName) }], tone: 'notice' };
    }
    if (role === 'admin' && services.roles.isBootstrapAdmin(user)) throw new UserError(t.bootstrapAdmin(user));
    const removed = await services.roles.revoke(user, role);
    await services.audit.record({ user: inbound.user, chat: inbound.chat, action: 'role.revoke', detail: `${user} ${role}` });
    return { blocks: [{ text: removed ? t.revoked(user, roleName) : t.notHeld(user, roleName) }], tone: 'notice' };
  },
});
