/**
 * The offices' own deadlines inside /deadline: `add` and `done` (coordinator, audited), and the
 * blocks that /deadline's query answers append so one answer shows the documents' deadlines and
 * the offices' together (filtered the same way: department, region or group, overdue/upcoming).
 */
import { type FlagSpec, type ParsedArgs, flagValue, typedId } from '../src/args.ts';
import { type CommandContext, checkFlags } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { foldCompact } from '../src/knowledge/fold.ts';
import { msg } from '../src/i18n/index.ts';
import type { OfficeDeadline } from '../src/office-deadlines.ts';
import { defaultRemind } from './meeting.ts';
import { type Reply, type ReplyBlock, userKey } from '../src/messages.ts';
import { requireRole } from '../src/roles-store.ts';
import { normaliseZone, parseOffsets, parseWhenAndGroup } from '../src/time.ts';

const M = msg.meetings;

/** Flags /deadline add takes; anything else, or a bare value flag, is refused before storing. */
const ADD_FLAGS: FlagSpec = { values: ['owner', 'remind', 'tz'] };

/** add/done need the coordinator role; a refusal is audited as `<action>.denied`. */
async function requireCoordinator(ctx: CommandContext, action: string): Promise<void> {
  await requireRole(ctx.services, ctx.inbound, 'coordinator', action);
}

function withUsage(e: unknown, usage: string): unknown {
  return e instanceof UserError && !e.usage ? new UserError(e.message, usage) : e;
}

/** `/deadline add <事项> <日期> [频道组] [--owner 部门] [--remind 7d,1d] [--tz 时区]` (words exclude `add`). */
async function add(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const usage = M.usage.deadlineAdd;
  await requireCoordinator(ctx, 'deadline.add');
  checkFlags(args, ADD_FLAGS, usage);
  const [text, ...rest] = args.words;
  if (!text) throw new UserError(M.missingDeadlineArgs, usage);
  if (!rest.length) throw new UserError(M.missingDeadlineDate, usage);
  const tz = flagValue(args, 'tz');
  const zone = tz === undefined ? ctx.services.config.TIMEZONE : normaliseZone(tz);
  if (!zone) throw new UserError(M.badZone(tz ?? ''), usage);
  // The group is optional, so the words are read as a date (and time) first: `2026-12-31 17:00`
  // is due at five, not due on the 31st to a group called 17:00.
  const when = parseWhenAndGroup(rest, { zone, now: ctx.services.clock.now(), dateOnly: true, prefer: 'time' });
  if (!when.ok) throw new UserError(M.badWhen(when.text, M.whenErrors[when.error] ?? when.error), usage);
  const group = when.group;
  let remind = defaultRemind(ctx.services.config.DEADLINE_REMIND_DEFAULT);
  const r = flagValue(args, 'remind');
  if (r !== undefined) {
    const p = parseOffsets(r);
    if (!p.ok) throw new UserError(M.badRemind(p.bad), usage);
    remind = p.value.map((o) => o.label);
  }
  const owner = flagValue(args, 'owner');
  try {
    const { deadline, skipped } = await ctx.services.officeDeadlines.add({
      text,
      at: when.value.at,
      hasTime: when.value.hasTime,
      zone: when.value.zone,
      remind,
      createdBy: userKey(ctx.inbound.user),
      ...(group ? { group } : {}),
      ...(owner ? { owner } : {}),
    });
    await ctx.services.audit.record({
      user: ctx.inbound.user,
      chat: ctx.inbound.chat,
      action: 'deadline.add',
      detail: `${deadline.id} ${deadline.text} ${deadline.dueDate}${group ? ` → ${group}` : ''}`,
    });
    const blocks: ReplyBlock[] = [{ text: M.deadlineAdded(deadline.id) }, line(ctx, deadline)];
    if (group && remind.length) blocks.push({ heading: M.fieldRemind, text: M.remindList(remind) });
    if (skipped.length) blocks.push({ text: M.skippedReminders(skipped) });
    return { blocks, footer: deadline.id, tone: 'notice' };
  } catch (e) {
    throw withUsage(e, usage);
  }
}

/** `/deadline done D3` (words exclude `done`). */
async function done(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const usage = M.usage.deadlineDone;
  await requireCoordinator(ctx, 'deadline.done');
  checkFlags(args, {}, usage);
  const id = args.words[0];
  if (!id) throw new UserError(M.missingDeadlineId, usage);
  try {
    const d = await ctx.services.officeDeadlines.done(typedId(id), userKey(ctx.inbound.user));
    await ctx.services.audit.record({ user: ctx.inbound.user, chat: ctx.inbound.chat, action: 'deadline.done', detail: `${d.id} ${d.text}` });
    return { blocks: [{ text: M.deadlineDone(d.id) }], tone: 'notice' };
  } catch (e) {
    throw withUsage(e, usage);
  }
}

/** Subcommands /deadline dispatches by first word. */
export const officeDeadlineSubcommands: Record<string, (ctx: CommandContext, args: ParsedArgs) => Promise<Reply>> = {
  add,
  登记: add,
  done,
  完成: done,
};

function line(ctx: CommandContext, d: OfficeDeadline): ReplyBlock {
  const svc = ctx.services.officeDeadlines;
  const state = d.status === 'done' ? M.deadlineDoneState : svc.isOverdue(d) ? M.deadlineOverdue : '';
  return { text: M.deadlineLine(d.id, d.text, svc.showDue(d), d.owner ?? '', d.group ?? '', state) };
}

/**
 * The offices' deadlines matching a /deadline query, as one block to append to its answer:
 * every word must match the text, department, group — or, for a place name, any name of the
 * region it resolves to. `state` keeps only overdue or only upcoming ones.
 */
export async function officeDeadlineBlock(
  ctx: CommandContext,
  words: readonly string[],
  state?: 'overdue' | 'upcoming',
): Promise<ReplyBlock | undefined> {
  const svc = ctx.services.officeDeadlines;
  let all: OfficeDeadline[];
  try {
    all = await svc.list();
  } catch (err) {
    // The documents' deadlines still answer the question; say what is missing instead of failing.
    ctx.services.log.warn('office deadlines unavailable', { err });
    return { heading: M.deadlineOffice, text: msg.common.storeUnavailable };
  }
  const gaz = ctx.services.knowledge.gazetteer;
  const terms = words
    .filter((w) => !/^\d{4}$/.test(w))
    .map((w) => {
      const names = new Set([w]);
      for (const id of gaz.resolve(w)) {
        const r = gaz.get(id);
        // One-character abbreviations (连, 沪) would match half the texts; full names only.
        if (r) for (const n of [r.name, ...r.short, ...r.aliases, ...r.traditional]) if ([...n].length > 1) names.add(n);
      }
      return [...names].map(foldCompact).filter(Boolean);
    });
  const years = words.filter((w) => /^\d{4}$/.test(w));
  const hits = all.filter((d) => {
    if (state === 'overdue' && !svc.isOverdue(d)) return false;
    if (state === 'upcoming' && svc.isOverdue(d)) return false;
    if (years.length && !years.some((y) => d.dueDate.startsWith(y))) return false;
    const hay = foldCompact(`${d.text} ${d.owner ?? ''} ${d.group ?? ''}`);
    return terms.every((alts) => alts.some((a) => hay.includes(a)));
  });
  if (!hits.length) return undefined;
  return { heading: M.deadlineOffice, text: hits.map((d) => line(ctx, d).text).join('\n') };
}
