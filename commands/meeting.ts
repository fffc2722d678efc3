/**
 * /meeting — schedule joint meetings with reminders to a channel group, collect RSVPs, move,
 * cancel, and export to calendars. Reading (list/show/ics/templates) is open to officials;
 * changes need the coordinator role and are written to the audit log.
 */
import { type ParsedArgs, flagValue, typedId } from '../src/args.ts';
import { type CommandContext, audit, defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { meetingIcs } from '../src/scheduling/ics.ts';
import { msg } from '../src/i18n/index.ts';
import type { Meeting, RsvpChoice } from '../src/scheduling/meetings.ts';
import { MAX_REMINDERS, MAX_TITLE_CHARS } from '../src/scheduling/meetings.ts';
import type { MeetingTemplate } from '../src/scheduling/templates.ts';
import { type Reply, type ReplyBlock, userKey } from '../src/messages.ts';
import { type Recurrence, normaliseZone, occurrences, parseOffsets, parseRecurrence, parseWhen, parseWhenAndGroup, wallTime } from '../src/time.ts';

const M = msg.meetings;
const U = M.usage;
/** Meetings /meeting list shows before summarising the rest. */
const LIST_MAX = 30;

function user(ctx: CommandContext): string {
  return userKey(ctx.inbound.user);
}

/** The zone named by --tz, or the configured one. */
function zoneOf(args: ParsedArgs, ctx: CommandContext, usage: string): string {
  const tz = flagValue(args, 'tz');
  if (tz === undefined) return ctx.services.config.TIMEZONE;
  const z = normaliseZone(tz);
  if (!z) throw new UserError(M.badZone(tz), usage);
  return z;
}

function parseTime(text: string, zone: string, ctx: CommandContext, usage: string): { at: number; zone: string } {
  const r = parseWhen(text, { zone, now: ctx.services.clock.now() });
  if (!r.ok) throw new UserError(M.badWhen(text, M.whenErrors[r.error] ?? r.error), usage);
  return { at: r.value.at, zone: r.value.zone };
}

/**
 * Split `<time words…> [group]`: the last word is the group when the words before it read as a
 * time; otherwise all words are the time and the group comes from the template.
 */
function timeAndGroup(
  rest: string[],
  zone: string,
  ctx: CommandContext,
  usage: string,
  defaultGroup: string | undefined,
): { at: number; zone: string; group: string } {
  if (!rest.length) throw new UserError(M.missingWhen, usage);
  const r = parseWhenAndGroup(rest, { zone, now: ctx.services.clock.now(), prefer: 'group' });
  if (!r.ok) throw new UserError(M.badWhen(r.text, M.whenErrors[r.error] ?? r.error), usage);
  const group = r.group ?? defaultGroup;
  if (!group) throw new UserError(M.missingGroup, usage);
  return { at: r.value.at, zone: r.value.zone, group };
}

/** `--remind 1d,2h` in canonical labels (at most MAX_REMINDERS), `none`, or the fallback when absent. */
export function parseRemind(text: string | undefined, fallback: string[], usage: string): string[] {
  if (text === undefined) return fallback;
  if (/^(none|no|off|无|不提醒)$/i.test(text)) return [];
  const r = parseOffsets(text);
  if (!r.ok) throw new UserError(M.badRemind(r.bad), usage);
  if (r.value.length > MAX_REMINDERS) throw new UserError(M.tooManyReminders(MAX_REMINDERS), usage);
  return r.value.map((o) => o.label);
}

/** The configured default, in canonical labels (validated by the config schema). */
export function defaultRemind(text: string): string[] {
  const r = parseOffsets(text);
  return r.ok ? r.value.map((o) => o.label) : [];
}

function parseEvery(ctx: CommandContext, text: string | undefined, fallback: Recurrence | undefined, usage: string): Recurrence | undefined {
  if (text === undefined) return fallback;
  if (/^(none|no|once|一次|不重复)$/i.test(text)) return undefined;
  const r = parseRecurrence(text);
  if (!r) throw new UserError(M.badEvery(text), usage);
  if (r.kind === 'cron') {
    // A pattern like `* * * * *` would flood the group; the shortest gap over a few runs counts.
    const min = ctx.services.config.MEETING_MIN_INTERVAL_S * 1000;
    const runs = occurrences(ctx.services.clock.now(), r, 'UTC', 6);
    const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
    if (gaps.some((g) => g < min)) throw new UserError(M.everyTooOften(Math.round(min / 60_000)), usage);
  }
  return r;
}

function everyLabel(e: Recurrence): string {
  return e.kind === 'cron' ? M.recurrence('cron', e.pattern) : M.recurrence(e.kind);
}

function meetingId(args: ParsedArgs, usage: string): string {
  const id = args.words[0];
  if (!id) throw new UserError(M.missingId, usage);
  return typedId(id);
}

async function getMeeting(ctx: CommandContext, id: string, usage: string): Promise<Meeting> {
  const m = await ctx.services.meetings.get(id);
  if (!m) throw new UserError(M.unknownMeeting(id), usage);
  return m;
}

/** Blocks describing a meeting: time, place, group, recurrence, reminders. */
function describe(ctx: CommandContext, m: Meeting): ReplyBlock[] {
  const svc = ctx.services.meetings;
  const blocks: ReplyBlock[] = [{ heading: M.fieldWhen, text: svc.show(m.occurrence, m.zone) }];
  if (m.where) blocks.push({ heading: M.fieldWhere, text: m.where });
  blocks.push({ heading: M.fieldGroup, text: m.group });
  if (m.every) {
    blocks.push({ heading: M.fieldEvery, text: everyLabel(m.every) });
    const next = occurrences(m.occurrence, m.every, m.zone, 3).slice(1);
    if (next.length) blocks.push({ heading: M.fieldNext, text: next.map((t) => svc.show(t, m.zone)).join('\n') });
  }
  blocks.push({ heading: M.fieldRemind, text: m.remind.length ? M.remindList(m.remind) : M.remindNone });
  return blocks;
}

async function add(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const templateId = flagValue(args, 'template');
  const usage = templateId !== undefined ? U.addTemplate : U.add;
  let template: MeetingTemplate | undefined;
  let title: string | undefined;
  let rest: string[];
  if (templateId !== undefined) {
    // `--template ID 2026-12-10 09:30 沪连`: the flag took the time words too; give them back.
    const [tid = '', ...after] = templateId.split(/\s+/);
    template = ctx.services.meetings.templates.find((t) => t.id === tid.toLowerCase());
    if (!template) throw new UserError(M.unknownTemplate(tid), usage);
    title = template.title;
    rest = [...args.words, ...after];
  } else {
    title = args.words[0]?.trim();
    if (!title) throw new UserError(M.missingAddArgs, usage);
    rest = args.words.slice(1);
  }
  if (title.length > MAX_TITLE_CHARS) throw new UserError(M.titleTooLong(MAX_TITLE_CHARS), usage);
  const zone = zoneOf(args, ctx, usage);
  const when = timeAndGroup(rest, zone, ctx, usage, template?.group);
  const remind = parseRemind(flagValue(args, 'remind'), template?.remind.length ? template.remind : defaultRemind(ctx.services.config.MEETING_REMIND_DEFAULT), usage);
  const every = parseEvery(ctx, flagValue(args, 'every'), template?.every, usage);
  const where = flagValue(args, 'where') ?? template?.where;
  try {
    const { meeting, skipped } = await ctx.services.meetings.add({
      title,
      at: when.at,
      zone: when.zone,
      group: when.group,
      remind,
      createdBy: user(ctx),
      ...(where ? { where } : {}),
      ...(every ? { every } : {}),
      ...(template ? { template: template.id } : {}),
    });
    await audit(ctx, 'meeting.add', `${meeting.id} ${meeting.title} @${new Date(meeting.occurrence).toISOString()} → ${meeting.group}`);
    const blocks: ReplyBlock[] = [{ text: M.added(meeting.id) }, ...describe(ctx, meeting)];
    if (skipped.length) blocks.push({ text: M.skippedReminders(skipped) });
    if (template) {
      const cite = template.citation;
      blocks.push({ heading: M.fieldSource, text: template.source.quote, ...(cite ? { citation: cite } : {}) });
    }
    return { title: `${M.addedTitle}：${meeting.title}`, blocks, footer: meeting.id, tone: 'notice' };
  } catch (e) {
    // The template form has its own usage line, which the router does not know.
    throw e instanceof UserError && !e.usage ? new UserError(e.message, usage) : e;
  }
}

async function list(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const svc = ctx.services.meetings;
  const all = args.flags.all !== undefined || args.words[0] === 'all' || args.words[0] === '全部';
  const ms = await svc.list({ all });
  if (!ms.length) return { title: M.listTitle, blocks: [{ text: M.listEmpty }], tone: 'answer' };
  // A chat message is no place for hundreds of lines: the soonest first, then a count.
  const lines = ms.slice(0, LIST_MAX).map((m) => {
    const state = svc.stateOf(m);
    const status = state === 'cancelled' ? M.statusCancelled : state === 'ended' ? M.statusEnded : '';
    const every = m.every ? `（${everyLabel(m.every)}）` : '';
    return M.listLine(m.id, m.title + every, svc.show(m.occurrence, m.zone), m.group, status);
  });
  const reply: Reply = { title: M.listTitle, blocks: [{ text: lines.join('\n') }], tone: 'answer' };
  if (ms.length > LIST_MAX) reply.footer = M.listMore(ms.length - LIST_MAX);
  return reply;
}

async function show(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const svc = ctx.services.meetings;
  const m = await getMeeting(ctx, meetingId(args, U.show), U.show);
  const t = await svc.tally(m);
  const blocks = describe(ctx, m);
  const state = svc.stateOf(m);
  if (state !== 'scheduled') blocks.unshift({ text: state === 'cancelled' ? M.statusCancelled : M.statusEnded });
  const lines = t.entries.map((e) => M.tallyLine(M.choice[e.choice] ?? e.choice, e.name, e.delegate));
  blocks.push({
    heading: M.fieldTally,
    text: t.entries.length ? `${M.tally(t.yes, t.no, t.delegate)}\n${lines.join('\n')}` : M.tallyNone,
  });
  if (m.template) {
    const tpl = svc.templates.find((x) => x.id === m.template);
    if (tpl) {
      const cite = tpl.citation;
      blocks.push({ heading: M.fieldSource, text: tpl.source.quote, ...(cite ? { citation: cite } : {}) });
    }
  }
  const reply: Reply = { title: `${m.id} ${m.title}`, blocks, tone: 'answer' };
  if (state === 'scheduled') reply.buttons = [svc.rsvpButtons(m)];
  return reply;
}

async function move(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const id = meetingId(args, U.move);
  const timeWords = args.words.slice(1);
  if (!timeWords.length) throw new UserError(M.missingWhen, U.move);
  const tz = flagValue(args, 'tz');
  const current = await getMeeting(ctx, id, U.move);
  const zone = tz !== undefined ? zoneOf(args, ctx, U.move) : current.zone;
  let timeText = timeWords.join(' ');
  // `move M3 14:00`: a time alone keeps the meeting's date (in its zone).
  if (/^\d{1,2}\s*[:：点]\s*\d{0,2}\s*分?$/.test(timeText.normalize('NFKC'))) {
    const w = wallTime(current.occurrence, zone);
    timeText = `${w.year}-${w.month}-${w.day} ${timeText}`;
  }
  const when = parseTime(timeText, zone, ctx, U.move);
  const { meeting, skipped } = await ctx.services.meetings.move(id, when.at, when.zone, user(ctx));
  await audit(ctx, 'meeting.move', `${meeting.id} → ${new Date(meeting.occurrence).toISOString()}`);
  const blocks: ReplyBlock[] = [{ text: M.moved(meeting.id) }, ...describe(ctx, meeting)];
  if (skipped.length) blocks.push({ text: M.skippedReminders(skipped) });
  return { title: `${meeting.id} ${meeting.title}`, blocks, tone: 'notice' };
}

async function cancel(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const id = meetingId(args, U.cancel);
  const m = await ctx.services.meetings.cancel(id, user(ctx));
  await audit(ctx, 'meeting.cancel', `${m.id} ${m.title}`);
  return { title: `${m.id} ${m.title}`, blocks: [{ text: M.cancelled(m.id) }], tone: 'notice' };
}

async function ics(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const m = await getMeeting(ctx, meetingId(args, U.ics), U.ics);
  const content = meetingIcs(m, {
    now: ctx.services.clock.now(),
    uidDomain: `${ctx.services.config.REDIS_PREFIX}.xiezuo`,
    alarmText: (label) => M.reminderLead(label),
    description: `${M.fieldGroup}：${m.group}`,
  });
  return {
    title: `${m.id} ${m.title}`,
    blocks: [{ text: M.icsSent(m.id) }],
    file: { name: `${m.id}.ics`, mime: 'text/calendar', content },
    tone: 'answer',
  };
}

const RSVP_WORDS = new Map<string, RsvpChoice>([
  ['参加', 'yes'],
  ['出席', 'yes'],
  ['yes', 'yes'],
  ['不参加', 'no'],
  ['缺席', 'no'],
  ['no', 'no'],
  ['委派', 'delegate'],
  ['委派他人', 'delegate'],
  ['delegate', 'delegate'],
]);

async function rsvp(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const id = meetingId(args, U.rsvp);
  const word = args.words[1];
  const choice = word ? RSVP_WORDS.get(word.toLowerCase()) : undefined;
  if (!choice) throw new UserError(M.badRsvp(word ?? ''), U.rsvp);
  const delegate = choice === 'delegate' ? args.words.slice(2).join(' ').trim() || undefined : undefined;
  const m = await ctx.services.meetings.rsvp(id, ctx.inbound.user, choice, delegate);
  return { blocks: [{ text: M.rsvpRecorded(M.choice[choice] ?? choice, m.title) + (delegate ? ` → ${delegate}` : '') }], tone: 'notice' };
}

async function templates(ctx: CommandContext): Promise<Reply> {
  const ts = ctx.services.meetings.templates;
  if (!ts.length) return { title: M.templatesTitle, blocks: [{ text: M.templatesEmpty }], tone: 'answer' };
  const blocks: ReplyBlock[] = ts.map((t) => {
    const cite = t.citation;
    const b: ReplyBlock = {
      heading: M.templateLine(t.id, t.title, t.every ? everyLabel(t.every) : M.recurrenceUnspecified, t.group ?? ''),
      text: t.note ?? t.source.quote,
    };
    if (cite) b.citation = cite;
    return b;
  });
  return { title: M.templatesTitle, blocks, footer: M.templatesFooter, tone: 'answer' };
}

/**
 * A 参加 / 不参加 press: recorded, confirmed on the button, and the reminder it was pressed on
 * shows the tally so far (one edit per press, as the buttons already cost one call each).
 */
async function press(ctx: CommandContext, value: string, choice: RsvpChoice) {
  const svc = ctx.services.meetings;
  const m = await svc.rsvp(value, ctx.inbound.user, choice);
  if (choice === 'delegate') return { toast: M.rsvpDelegateHint(m.id) };
  const edit = ctx.inbound.press?.messageId ? svc.reminderReply(m, undefined, await svc.tally(m)) : undefined;
  return { toast: M.rsvpRecorded(M.choice[choice] ?? choice, m.title), ...(edit ? { edit } : {}) };
}

export const meeting = defineCommand({
  name: 'meeting',
  aliases: ['meetings', '会议', '會議'],
  role: 'official',
  summary: M.summary,
  usage: U.meeting,
  subcommands: [
    { names: ['add', '安排'], role: 'coordinator', usage: U.add, flags: { values: ['template', 'remind', 'every', 'where', 'tz'] }, run: add },
    { names: ['list', 'ls', '列表'], usage: U.meeting, flags: { booleans: ['all'] }, run: list },
    { names: ['show', '查看'], usage: U.show, run: show },
    { names: ['move', '改期'], role: 'coordinator', usage: U.move, flags: { values: ['tz'] }, run: move },
    { names: ['cancel', '取消'], role: 'coordinator', usage: U.cancel, run: cancel },
    { names: ['ics', 'calendar'], usage: U.ics, run: ics },
    { names: ['rsvp', '回执'], usage: U.rsvp, run: rsvp },
    { names: ['templates', 'template', '模板'], usage: U.meeting, run: templates },
  ],
  actions: {
    yes: { role: null, run: (ctx, value) => press(ctx, value, 'yes') },
    no: { role: null, run: (ctx, value) => press(ctx, value, 'no') },
    delegate: { role: null, run: (ctx, value) => press(ctx, value, 'delegate') },
  },
});
