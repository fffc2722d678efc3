/**
 * `/group …`: channel groups. list/show need the official role (anyone who may ask); create,
 * add, remove and delete change state and need coordinator, and are written to the audit log.
 */
import { z } from 'zod';
import { defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { isValidGroupName } from '../src/groups.ts';
import { msg } from '../src/i18n/index.ts';
import { type Destination, type Reply, destinationKey, parseDestination } from '../src/messages.ts';
import { requireRole } from '../src/roles-store.ts';

const t = msg.groups;

const args = z.object({
  text: z.string(),
  words: z.array(z.string()),
  flags: z.record(z.string(), z.union([z.string(), z.literal(true)])),
});

const SUBS = ['list', 'show', 'create', 'add', 'remove', 'delete'] as const;
const ALIASES: Record<string, (typeof SUBS)[number]> = {
  列表: 'list', 查看: 'show', 创建: 'create', 新建: 'create', 添加: 'add', 加入: 'add', 移除: 'remove', 删除: 'delete', rm: 'remove', del: 'delete', ls: 'list',
};

export const group = defineCommand({
  name: 'group',
  aliases: ['groups', '频道组'],
  role: null,
  summary: t.summary,
  usage: t.usage,
  args,
  async run(ctx, a): Promise<Reply> {
    const { services, inbound } = ctx;
    const [subText = 'list', nameText, ...rest] = a.words;
    const sub = (SUBS as readonly string[]).includes(subText.toLowerCase()) ? (subText.toLowerCase() as (typeof SUBS)[number]) : ALIASES[subText];
    if (!sub) throw new UserError(t.unknownSub(subText), t.usage);
    const groups = services.groups;

    if (sub === 'list') {
      await requireRole(services, inbound, 'official', 'group.list');
      const all = await groups.list();
      return { title: t.listTitle, blocks: [{ text: all.length ? all.map((g) => t.listLine(g.name, g.size, g.title)).join('\n') : t.listEmpty }], tone: 'answer' };
    }
    if (!nameText) throw new UserError(t.missingName, t.usage);
    const name = nameText.trim();

    if (sub === 'show') {
      await requireRole(services, inbound, 'official', 'group.show');
      const g = await groups.get(name);
      if (!g) throw new UserError(t.unknownGroup(name), t.usage);
      const lines = g.members.map((m) => `${destinationKey(m.to)}${m.label ? `  ${m.label}` : ''}`);
      const blocks: Reply['blocks'] = [];
      if (g.title || g.description) blocks.push({ text: [g.title, g.description].filter(Boolean).join('\n') });
      blocks.push({ text: lines.length ? `${t.showCount(lines.length)}\n${lines.join('\n')}` : t.showEmpty });
      return { title: t.showTitle(g.name), blocks, tone: 'answer' };
    }

    await requireRole(services, inbound, 'coordinator', `group.${sub}`);
    const audit = (detail: string) => services.audit.record({ user: inbound.user, chat: inbound.chat, action: `group.${sub}`, detail });

    if (sub === 'create') {
      if (!isValidGroupName(name)) throw new UserError(t.badName(name), t.usage);
      const title = rest.join(' ').trim();
      const created = await groups.create(name, { ...(title ? { title } : {}), createdBy: `${inbound.user.platform}:${inbound.user.id}` });
      if (!created) throw new UserError(t.exists(name));
      await audit(name);
      return { blocks: [{ text: t.created(name) }], tone: 'notice' };
    }

    if (!(await groups.has(name))) throw new UserError(t.unknownGroup(name), t.usage);

    if (sub === 'delete') {
      // Meetings and deadlines name their group and would remind nobody: refuse, saying which.
      const meetings = (await services.meetings.list()).filter((m) => m.group === name).map((m) => m.id);
      const deadlines = (await services.officeDeadlines.list()).filter((d) => d.group === name).map((d) => d.id);
      if (meetings.length || deadlines.length) throw new UserError(t.inUse(name, [...meetings, ...deadlines]));
      await groups.delete(name);
      await audit(name);
      return { blocks: [{ text: t.deleted(name) }], tone: 'notice' };
    }

    // add / remove: destinations by id, or the chat the command is typed in.
    const targets: Destination[] = [];
    for (const w of rest) {
      const d = parseDestination(w);
      if (!d) throw new UserError(t.badDestination(w), t.usage);
      targets.push(d);
    }
    if (!targets.length) targets.push(inbound.chat);

    if (sub === 'add') {
      const added = await groups.add(name, targets.map((to) => ({ to })));
      await audit(`${name} + ${targets.map(destinationKey).join(' ')}`);
      const g = await groups.get(name);
      return { blocks: [{ text: added ? t.added(name, added, g?.destinations.length ?? added) : t.alreadyIn(name) }], tone: 'notice' };
    }
    const lines: string[] = [];
    for (const to of targets) {
      const removed = await groups.remove(name, to);
      lines.push(removed ? t.removed(name, destinationKey(to)) : t.notIn(name, destinationKey(to)));
    }
    await audit(`${name} - ${targets.map(destinationKey).join(' ')}`);
    return { blocks: [{ text: lines.join('\n') }], tone: 'notice' };
  },
});
