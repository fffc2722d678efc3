/**
 * `/group …`: channel groups. list/show need the official role (anyone who may ask); create,
 * add, remove and delete change state and need coordinator, and are written to the audit log.
 */
import type { ParsedArgs } from '../src/args.ts';
import { type CommandContext, audit, defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { isValidGroupName } from '../src/groups/groups.ts';
import { destinationProblem } from '../src/groups/destinations.ts';
import { msg } from '../src/i18n/index.ts';
import { type Destination, type Reply, destinationKey, parseDestination } from '../src/messages.ts';

const t = msg.groups;

/** `create|delete|add|remove <name> …`: the group name every change starts with. */
function groupName(a: ParsedArgs): string {
  const name = a.words[0]?.trim();
  if (!name) throw new UserError(t.missingName, t.usage);
  return name;
}

/** The group must exist for add/remove/delete. */
async function existing(ctx: CommandContext, a: ParsedArgs): Promise<string> {
  const name = groupName(a);
  if (!(await ctx.services.groups.has(name))) throw new UserError(t.unknownGroup(name), t.usage);
  return name;
}

/**
 * Destinations by id, or the chat the command is typed in (which the platform itself named).
 * Typed ids must have their platform's form and a platform this deployment sends to, when adding.
 */
function targetsOf(ctx: CommandContext, words: string[], check = false): Destination[] {
  const targets: Destination[] = [];
  const platforms = ctx.services.groups.platforms();
  for (const w of words) {
    const d = parseDestination(w);
    if (!d) throw new UserError(t.badDestination(w), t.usage);
    const problem = check ? destinationProblem(d, platforms, w) : undefined;
    if (problem) throw new UserError(problem, t.usage);
    targets.push(d);
  }
  if (!targets.length) targets.push(ctx.inbound.chat);
  return targets;
}

async function list(ctx: CommandContext): Promise<Reply> {
  const all = await ctx.services.groups.list();
  return { title: t.listTitle, blocks: [{ text: all.length ? all.map((g) => t.listLine(g.name, g.size, g.title)).join('\n') : t.listEmpty }], tone: 'answer' };
}

async function show(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const name = groupName(a);
  const g = await ctx.services.groups.get(name);
  if (!g) throw new UserError(t.unknownGroup(name), t.usage);
  const lines = g.members.map((m) => `${destinationKey(m.to)}${m.label ? `  ${m.label}` : ''}`);
  const blocks: Reply['blocks'] = [];
  if (g.title || g.description) blocks.push({ text: [g.title, g.description].filter(Boolean).join('\n') });
  blocks.push({ text: lines.length ? `${t.showCount(lines.length)}\n${lines.join('\n')}` : t.showEmpty });
  return { title: t.showTitle(g.name), blocks, tone: 'answer' };
}

async function create(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const name = groupName(a);
  if (!isValidGroupName(name)) throw new UserError(t.badName(name), t.usage);
  const title = a.words.slice(1).join(' ').trim();
  const { user } = ctx.inbound;
  const created = await ctx.services.groups.create(name, { ...(title ? { title } : {}), createdBy: `${user.platform}:${user.id}` });
  if (!created) throw new UserError(t.exists(name));
  await audit(ctx, 'group.create', name);
  return { blocks: [{ text: t.created(name) }], tone: 'notice' };
}

async function remove(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const name = await existing(ctx, a);
  const targets = targetsOf(ctx, a.words.slice(1));
  const lines: string[] = [];
  for (const to of targets) {
    const removed = await ctx.services.groups.remove(name, to);
    lines.push(removed ? t.removed(name, destinationKey(to)) : t.notIn(name, destinationKey(to)));
  }
  await audit(ctx, 'group.remove', `${name} - ${targets.map(destinationKey).join(' ')}`);
  return { blocks: [{ text: lines.join('\n') }], tone: 'notice' };
}

async function add(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const name = await existing(ctx, a);
  const targets = targetsOf(ctx, a.words.slice(1), true);
  const groups = ctx.services.groups;
  const added = await groups.add(name, targets.map((to) => ({ to })));
  await audit(ctx, 'group.add', `${name} + ${targets.map(destinationKey).join(' ')}`);
  const g = await groups.get(name);
  return { blocks: [{ text: added ? t.added(name, added, g?.destinations.length ?? added) : t.alreadyIn(name) }], tone: 'notice' };
}

async function deleteGroup(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const name = await existing(ctx, a);
  // Meetings and deadlines name their group and would remind nobody: refuse, saying which.
  const meetings = (await ctx.services.meetings.list()).filter((m) => m.group === name).map((m) => m.id);
  const deadlines = (await ctx.services.officeDeadlines.list()).filter((d) => d.group === name).map((d) => d.id);
  if (meetings.length || deadlines.length) throw new UserError(t.inUse(name, [...meetings, ...deadlines]));
  await ctx.services.groups.delete(name);
  await audit(ctx, 'group.delete', name);
  return { blocks: [{ text: t.deleted(name) }], tone: 'notice' };
}

export const group = defineCommand({
  name: 'group',
  aliases: ['groups', '频道组'],
  role: null,
  summary: t.summary,
  usage: t.usage,
  subcommands: [
    { names: ['list', 'ls', '列表'], role: 'official', usage: t.usage, run: list },
    { names: ['show', '查看'], role: 'official', usage: t.usage, run: show },
    { names: ['create', '创建', '新建'], role: 'coordinator', usage: t.usage, run: create },
    { names: ['add', '添加', '加入'], role: 'coordinator', usage: t.usage, run: add },
    { names: ['remove', 'rm', '移除'], role: 'coordinator', usage: t.usage, run: remove },
    { names: ['delete', 'del', '删除'], role: 'coordinator', usage: t.usage, run: deleteGroup },
  ],
  defaultSubcommand: 'list',
});
