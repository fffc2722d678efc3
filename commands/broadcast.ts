/**
 * `/broadcast 组名 内容 [--at 时间 [时区]]` → a preview with the destination count and 确认发送 /
 * 取消 buttons; confirming enqueues one delivery per destination and the preview then shows
 * progress and the final report. `/broadcast status ID`, `/broadcast cancel ID`.
 */
import type { ParsedArgs } from '../src/args.ts';
import { type CommandContext, audit, defineCommand } from '../src/command.ts';
import { Refusal, UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { type Reply, destinationKey, userKey } from '../src/messages.ts';
import { reachable } from '../src/groups/destinations.ts';
import { type Broadcast, formatInstant } from '../src/broadcasts/broadcasts.ts';
import { zonedWithBeijing } from '../src/render/when.ts';
import { parseWhen } from '../src/time.ts';
import { deliveryChartPicture } from '../src/pictures/delivery-chart.ts';
import { attachPicture } from '../src/pictures/pictures.ts';

const t = msg.broadcast;

const AT_FLAG = /(^|\s)(?:--|——|—|－－)at(?:=|\s+)/i;

/**
 * Take `--at <date> <time> [zone]` out of the text. The flag may sit anywhere, so the longest run
 * of following words that reads as a time is the value, and the rest stays message text.
 */
export function extractAt(text: string, zone: string, now: number): { text: string; at?: number; zone?: string } {
  const m = AT_FLAG.exec(text);
  if (!m) return { text: text.trim() };
  const before = text.slice(0, m.index + m[1]!.length);
  const after = text.slice(m.index + m[0].length);
  const tokens = after.split(/(\s+)/); // keep separators so the remaining text keeps its layout
  const words = tokens.filter((_, i) => i % 2 === 0);
  let zoneError = false;
  for (let n = Math.min(4, words.length); n >= 1; n--) {
    const candidate = words.slice(0, n).join(' ');
    const r = parseWhen(candidate, { zone, now });
    if (r.ok) {
      const rest = tokens.slice(2 * n).join('');
      return { text: `${before}${rest}`.trim(), at: r.value.at, zone: r.value.zone };
    }
    if (r.error === 'badZone') zoneError = true;
  }
  throw new UserError(zoneError ? t.badZone : t.badAt, t.usage);
}

/** A broadcast is its sender's (a coordinator) or any admin's to confirm or cancel. */
async function requireOwnerOrAdmin(ctx: CommandContext, b: Broadcast): Promise<void> {
  const u = ctx.inbound.user;
  if (userKey(u) === b.by && (await ctx.services.access.hasRole(u, 'coordinator'))) return;
  if (await ctx.services.access.hasRole(u, 'admin')) return;
  throw new Refusal(t.notYours, `${b.id} ${b.by}`);
}

/** `status|cancel ID`: the broadcast it names. */
async function named(ctx: CommandContext, a: ParsedArgs): Promise<Broadcast> {
  const id = a.words[0];
  if (!id) throw new UserError(t.missingId, t.usage);
  const b = await ctx.services.broadcasts.get(id);
  if (!b) throw new UserError(t.unknownId(id), t.usage);
  return b;
}

async function status(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const bc = ctx.services.broadcasts;
  const b = await named(ctx, a);
  const outcomes = await bc.outcomes(b.id);
  // The bar chart rides beside the text report, which says the same in words.
  return attachPicture(ctx.services.pictures, bc.reportReply(b, outcomes), () => deliveryChartPicture(b, outcomes));
}

/** Cancel for its drafter or an admin, audited; false when it is past cancelling. Command and button share it. */
async function cancelBroadcast(ctx: CommandContext, b: Broadcast): Promise<boolean> {
  await requireOwnerOrAdmin(ctx, b);
  if (!(await ctx.services.broadcasts.cancel(b.id))) return false;
  await audit(ctx, 'broadcast.cancel', b.id);
  return true;
}

async function cancel(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const b = await named(ctx, a);
  if (!(await cancelBroadcast(ctx, b))) throw new UserError(t.notCancellable(b.id));
  return { blocks: [{ text: t.cancelled(b.id) }], tone: 'notice' };
}

/** `组名 内容 [--at 时间 [时区]]`: a draft with its preview and 确认发送 / 取消 buttons. */
async function draft(ctx: CommandContext, a: ParsedArgs): Promise<Reply> {
  const { services, inbound } = ctx;
  const group = a.words[0];
  if (!group) throw new UserError(t.missingGroup, t.usage);
  // The group is the first word; the text is everything after it, as typed.
  const raw = a.text.trim();
  const groupWord = /^\S+/.exec(raw)![0];
  const now = services.clock.now();
  const { text, at, zone } = extractAt(raw.slice(groupWord.length), services.config.TIMEZONE, now);
  if (!text) throw new UserError(t.missingText, t.usage);
  if (at !== undefined && at <= now) throw new UserError(t.pastAt(formatInstant(at, zone ?? services.config.TIMEZONE)), t.usage);
  const g = await services.groups.get(group);
  if (!g) throw new UserError(t.unknownGroup(group), t.usage);
  if (!g.destinations.length) throw new UserError(t.emptyGroup(group));
  // Chats on a platform this deployment does not send to would wait for ever: said, not sent.
  const deliverable = reachable(g.destinations, services.groups.platforms());
  const unreachable = g.destinations.filter((d) => !deliverable.includes(d));
  if (!deliverable.length) throw new UserError(t.noReachable(g.name, unreachable.map(destinationKey)));
  const b = await services.broadcasts.draft({
    group: g.name,
    text,
    by: inbound.user,
    chat: inbound.chat,
    destinations: deliverable,
    ...(unreachable.length ? { unreachable } : {}),
    ...(at !== undefined ? { at } : {}),
    ...(zone ? { zone } : {}),
  });
  await audit(ctx, 'broadcast.draft', `${b.id} ${g.name} ${b.total}`);
  // The zone the user gave, and 北京时间 beside it when that is another zone.
  const atText = at !== undefined ? zonedWithBeijing(at, b.zone) : undefined;
  return {
    title: t.previewTitle(b.id),
    blocks: [{ text: t.preview(g.name, b.total, atText) }, ...(unreachable.length ? [{ text: t.unreachable(unreachable.map(destinationKey)) }] : []), { text }],
    buttons: [
      [
        { label: t.confirm, action: 'broadcast.confirm', value: b.id },
        { label: t.cancel, action: 'broadcast.cancel', value: b.id },
      ],
    ],
    tone: 'notice',
  };
}

export const broadcast = defineCommand({
  name: 'broadcast',
  aliases: ['群发'],
  role: 'coordinator',
  summary: t.summary,
  usage: t.usage,
  subcommands: [
    { names: ['status', '状态'], usage: t.usage, run: status },
    { names: ['cancel', '取消'], usage: t.usage, run: cancel },
  ],
  flags: { values: ['at'] },
  run: draft,
  actions: {
    confirm: {
      role: 'coordinator',
      async run(ctx, id) {
        const { services, inbound } = ctx;
        const bc = services.broadcasts;
        const b = await bc.get(id);
        if (!b) return { toast: t.unknownId(id) };
        await requireOwnerOrAdmin(ctx, b);
        const previewId = inbound.press?.messageId;
        // With a preview to edit, the service shows 0/N itself before enqueuing, so no later
        // progress edit can be overtaken by this press's answer.
        const editsItself = !!previewId && bc.canEdit(b.chat);
        if (!(await bc.confirm(b.id, editsItself ? previewId : undefined))) return { toast: t.notDraft };
        await audit(ctx, 'broadcast.confirm', `${b.id} ${b.group} ${b.total}`);
        const after = (await bc.get(b.id)) ?? b;
        const scheduled = after.status === 'scheduled' && after.at !== undefined;
        const reply: Reply = scheduled
          ? { blocks: [{ text: t.confirmedScheduled(b.id, zonedWithBeijing(after.at!, after.zone), b.total) }], tone: 'notice' }
          : bc.progressReply(after);
        if (editsItself && !scheduled) return { toast: t.confirm };
        return { edit: reply, toast: t.confirm };
      },
    },
    cancel: {
      role: 'coordinator',
      async run(ctx, id) {
        const b = await ctx.services.broadcasts.get(id);
        if (!b) return { toast: t.unknownId(id) };
        if (!(await cancelBroadcast(ctx, b))) return { toast: t.notCancellable(b.id) };
        return { edit: { blocks: [{ text: t.cancelled(b.id) }], tone: 'notice' }, toast: t.cancel };
      },
    },
  },
});
