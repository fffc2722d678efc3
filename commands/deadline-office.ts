/**
 * The offices' own deadlines inside /deadline: `add` and `done` (coordinator, audited), and the
 * blocks that /deadline's query answers append so one answer shows the documents' deadlines and
 * the offices' together (filtered the same way: department, region or group, overdue/upcoming).
 */
import { type ParsedArgs, flagValue, typedId } from '../src/args.ts';
import { type CommandContext, type Subcommand, audit } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { foldCompact } from '../src/knowledge/fold.ts';
import { msg } from '../src/i18n/index.ts';
import type { OfficeDeadline } from '../src/scheduling/office-deadlines.ts';
import type { OfficeDeadlines } from '../src/scheduling/office-deadlines.ts';
import type { KnowledgeServices } from '../src/services.ts';
import { defaultRemind, parseRemind } from './meeting.ts';
import { type Reply, type ReplyBlock, userKey } from '../src/messages.ts';
import { normaliseZone, parseWhenAndGroup } from '../src/time.ts';

const M = msg.meetings;

/** /deadline runs in `xiezuo ask` too, without Redis: the offices' deadlines are then absent. */
export type DeadlineServices = KnowledgeServices & { officeDeadlines?: OfficeDeadlines };
type Ctx = CommandContext<DeadlineServices>;

function officeDeadlines(ctx: Ctx): OfficeDeadlines {
  const svc = ctx.services.officeDeadlines;
  if (!svc) throw new UserError(msg.common.storeUnavailable);
  return svc;
}

/** `/deadline add <事项> <日期> [频道组] [--owner 部门] [--remind 7d,1d] [--tz 时区]` (words exclude `add`). */
async function add(ctx: Ctx, args: ParsedArgs): Promise<Reply> {
  const usage = M.usage.deadlineAdd;
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
  const remind = parseRemind(flagValue(args, 'remind'), defaultRemind(ctx.services.config.DEADLINE_REMIND_DEFAULT), usage);
  const owner = flagValue(args, 'owner');
  const { deadline, skipped } = await officeDeadlines(ctx).add({
      text,
      at: when.value.at,
      hasTime: when.value.hasTime,
      zone: when.value.zone,
      remind,
      createdBy: userKey(ctx.inbound.user),
      ...(group ? { group } : {}),
      ...(owner ? { owner } : {}),
    });
  await audit(ctx, 'deadline.add', `${deadline.id} ${deadline.text} ${deadline.dueDate}${group ? ` → ${group}` : ''}`);
  const blocks: ReplyBlock[] = [{ text: M.deadlineAdded(deadline.id) }, line(ctx, deadline)];
  if (group && remind.length) blocks.push({ heading: M.fieldRemind, text: M.remindList(remind) });
  if (skipped.length) blocks.push({ text: M.skippedReminders(skipped) });
  return { blocks, footer: deadline.id, tone: 'notice' };
}

/** `/deadline done D3` (words exclude `done`). */
async function done(ctx: Ctx, args: ParsedArgs): Promise<Reply> {
  const id = args.words[0];
  if (!id) throw new UserError(M.missingDeadlineId, M.usage.deadlineDone);
  const d = await officeDeadlines(ctx).done(typedId(id), userKey(ctx.inbound.user));
  await audit(ctx, 'deadline.done', `${d.id} ${d.text}`);
  return { blocks: [{ text: M.deadlineDone(d.id) }], tone: 'notice' };
}

/** The offices' own deadlines inside /deadline; changes need the coordinator role. */
export const officeDeadlineSubcommands: Subcommand<DeadlineServices>[] = [
  { names: ['add', '登记'], role: 'coordinator', usage: M.usage.deadlineAdd, flags: { values: ['owner', 'remind', 'tz'] }, run: add },
  { names: ['done', '完成'], role: 'coordinator', usage: M.usage.deadlineDone, run: done },
];

function line(ctx: Ctx, d: OfficeDeadline): ReplyBlock {
  const svc = officeDeadlines(ctx);
  const state = d.status === 'done' ? M.deadlineDoneState : svc.isOverdue(d) ? M.deadlineOverdue : '';
  return { text: M.deadlineLine(d.id, d.text, svc.showDue(d), d.owner ?? '', d.group ?? '', state) };
}

/**
 * The offices' deadlines matching a /deadline query, as one block to append to its answer:
 * every word must match the text, department, group — or, for a place name, any name of the
 * region it resolves to. `state` keeps only overdue or only upcoming ones.
 */
export async function officeDeadlineBlock(
  ctx: Ctx,
  words: readonly string[],
  state?: 'overdue' | 'upcoming',
): Promise<ReplyBlock | undefined> {
  const svc = ctx.services.officeDeadlines;
  if (!svc) return undefined;
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
