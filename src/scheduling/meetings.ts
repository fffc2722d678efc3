/**
 * Joint meetings (联席会议): the schedule, reminders to the meeting's channel group, RSVPs and
 * change notices. State lives in Redis under `<prefix>:meetings:*`; reminders are delayed jobs on
 * the reminders queue (src/reminder-queue.ts) and go out through the Outbox.
 *
 * Why a generation number: a move or cancel bumps it, and every reminder job carries the one it
 * was scheduled for, so a job that escaped removal (running at that moment, or a duplicate) sees
 * the mismatch and does nothing. The delivery messages a reminder fanned out to carry it too, and
 * delivery asks `reminderIsCurrent` right before each send, so a reminder already queued for
 * delivery when the meeting moved or was cancelled is dropped as well. No stale reminder fires.
 *
 * A recurring meeting has one current occurrence at a time; an `advance` job at that occurrence's
 * start moves the series on and schedules the next occurrence's reminders, so only a handful of
 * jobs exist per meeting however long the series.
 */
import { typedId } from '../args.ts';
import type { OutgoingMessage } from '../delivery/outbox.ts';
import { UserError } from '../errors.ts';
import { isBeijingZone, zonedWithBeijing } from '../render/when.ts';
import { msg } from '../i18n/index.ts';
import type { MeetingTemplate } from './templates.ts';
import { type Button, type Reply, type UserRef, userKey } from '../messages.ts';
import type { MeetingAdvanceJob, MeetingReminderJob } from './reminder-queue.ts';
import { keyspace, readIndexed, readJson, replaceJsonIf, updateJson } from '../store/redis.ts';
import { type ReminderOwnerOptions, listenForReminders, reconcileAll, sendToGroup } from './reminders.ts';
import { type Recurrence, nextOccurrence, parseOffsets, wallTime } from '../time.ts';

export type MeetingStatus = 'scheduled' | 'cancelled' | 'ended';

export interface Meeting {
  id: string;
  title: string;
  group: string;
  where?: string;
  /** Zone the meeting was entered in; its wall clock drives recurrence. */
  zone: string;
  /** First occurrence of the series (instant, ms). */
  start: number;
  /** The occurrence reminders are currently scheduled for. */
  occurrence: number;
  /** Number of that occurrence in the series (0-based); RSVPs are kept per occurrence. */
  seq: number;
  every?: Recurrence;
  /** Reminder offsets as canonical labels, longest first (`7d`, `1h`). */
  remind: string[];
  status: MeetingStatus;
  /** Bumped by every move or cancel; reminder jobs of older generations do nothing. */
  generation: number;
  /** Bumped by every move: answers given for the old time do not count for the new one. */
  rsvpRound?: number;
  template?: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export type RsvpChoice = 'yes' | 'no' | 'delegate';

interface Rsvp {
  user: string;
  name: string;
  choice: RsvpChoice;
  delegate?: string;
  at: number;
}

export interface Tally {
  yes: number;
  no: number;
  delegate: number;
  entries: Rsvp[];
}

export interface NewMeeting {
  title: string;
  at: number;
  zone: string;
  group: string;
  where?: string;
  remind: string[];
  every?: Recurrence;
  template?: string;
  createdBy: string;
}

export interface MeetingsOptions extends ReminderOwnerOptions {
  /** Zone times are shown in besides the meeting's own (config TIMEZONE). */
  displayZone: string;
  /** Standing meeting systems from seeds/meetings.json. */
  templates?: MeetingTemplate[];
}

/** Most reminders one meeting may carry (calendars allow five; we allow a few more). */
export const MAX_REMINDERS = 8;
export const MAX_TITLE_CHARS = 100;
/** A reminder later than this (workers down) no longer claims its nominal offset. */
const LATE_REMINDER_GRACE_MS = 5 * 60_000;

// Compare-and-set on the stored JSON, so concurrent move/cancel/advance never overwrite each other.
export class Meetings {
  private readonly key: (...parts: string[]) => string;
  readonly templates: readonly MeetingTemplate[];

  constructor(private readonly o: MeetingsOptions) {
    this.key = keyspace(o.prefix, 'meetings');
    this.templates = o.templates ?? [];
    listenForReminders(o, 'meeting-reminder', (m) => this.reminderIsCurrent(m));
    // A change notice of an older generation (moved again, then cancelled) would contradict the
    // latest one the group receives.
    listenForReminders(o, 'meeting-notice', async (m) => (await this.get(m.origin.id))?.generation === m.origin.generation);
  }

  /** A queued reminder is still wanted: same meeting state (generation, occurrence) and not yet started. */
  async reminderIsCurrent(message: OutgoingMessage): Promise<boolean> {
    const m = await this.get(message.origin.id);
    return (
      !!m &&
      m.status === 'scheduled' &&
      m.generation === message.origin.generation &&
      m.occurrence === message.origin.occurrence &&
      this.o.clock.now() < m.occurrence
    );
  }

  async get(id: string): Promise<Meeting | undefined> {
    return readJson<Meeting>(this.o.redis, this.key('m', typedId(id)));
  }

  /** Meetings ordered by their current occurrence; cancelled and ended ones only when asked. */
  async list(opts: { all?: boolean } = {}): Promise<Meeting[]> {
    const all = await readIndexed<Meeting>(this.o.redis, this.key('all'), (id) => this.key('m', id));
    return opts.all ? all : all.filter((m) => this.stateOf(m) === 'scheduled');
  }

  /** Scheduled, cancelled, or ended (a one-off meeting whose time has passed). */
  stateOf(m: Meeting): MeetingStatus {
    if (m.status !== 'scheduled') return m.status;
    return !m.every && m.occurrence < this.o.clock.now() ? 'ended' : 'scheduled';
  }

  /**
   * Store a meeting and schedule its reminders. Throws UserError (no usage line; the command adds
   * it) for a time in the past or an unknown group, storing nothing.
   * Returns the reminder labels whose time had already passed and were skipped.
   */
  async add(input: NewMeeting): Promise<{ meeting: Meeting; skipped: string[] }> {
    const now = this.o.clock.now();
    if (input.at <= now) throw new UserError(msg.meetings.inPast(this.show(input.at, input.zone)));
    await this.requireGroup(input.group);
    const first = firstOccurrence(input.at, input.every, input.zone);
    const id = `M${await this.o.redis.incr(this.key('seq'))}`;
    const m: Meeting = {
      id,
      title: input.title,
      group: input.group,
      zone: input.zone,
      start: first,
      occurrence: first,
      seq: 0,
      remind: input.remind,
      status: 'scheduled',
      generation: 1,
      createdBy: input.createdBy,
      createdAt: now,
      updatedAt: now,
    };
    if (input.where) m.where = input.where;
    if (input.every) m.every = input.every;
    if (input.template) m.template = input.template;
    await this.o.redis.multi().set(this.key('m', id), JSON.stringify(m)).zadd(this.key('all'), m.occurrence, id).exec();
    const skipped = await this.scheduleOccurrence(m, now);
    return { meeting: m, skipped };
  }

  /** Re-time a meeting (a recurring series is re-anchored at the new time) and tell its group. */
  async move(id: string, at: number, zone: string | undefined, by: string): Promise<{ before: Meeting; meeting: Meeting; skipped: string[] }> {
    const now = this.o.clock.now();
    const { before, after } = await this.update(id, (m) => {
      if (m.status === 'cancelled') throw new UserError(msg.meetings.alreadyCancelled(m.id));
      const z = zone ?? m.zone;
      if (at <= now) throw new UserError(msg.meetings.inPast(this.show(at, z)));
      const first = firstOccurrence(at, m.every, z);
      // The move notice asks the group to confirm again, so earlier answers start afresh.
      return { ...m, zone: z, start: first, occurrence: first, status: 'scheduled', generation: m.generation + 1, rsvpRound: (m.rsvpRound ?? 0) + 1, updatedAt: now };
    });
    await this.o.redis.zadd(this.key('all'), after.occurrence, after.id);
    await this.dropJobs(before);
    const skipped = await this.scheduleOccurrence(after, now);
    await this.notify(after, `moved.g${after.generation}`, this.movedNotice(before, after));
    this.o.log.info('meeting moved', { meeting: after.id, from: before.occurrence, to: after.occurrence, by });
    return { before, meeting: after, skipped };
  }

  /** Cancel a meeting: its pending reminders are removed (and could not fire anyway). */
  async cancel(id: string, by: string): Promise<Meeting> {
    const now = this.o.clock.now();
    const { before, after } = await this.update(id, (m) => {
      if (m.status === 'cancelled') throw new UserError(msg.meetings.alreadyCancelled(m.id));
      return { ...m, status: 'cancelled', generation: m.generation + 1, updatedAt: now };
    });
    await this.dropJobs(before);
    await this.notify(after, `cancelled.g${after.generation}`, this.cancelledNotice(after));
    this.o.log.info('meeting cancelled', { meeting: after.id, by });
    return after;
  }

  /** Record one user's answer for the current occurrence (a later answer replaces an earlier one). */
  async rsvp(id: string, user: UserRef, choice: RsvpChoice, delegate?: string): Promise<Meeting> {
    const m = await this.get(id);
    if (!m) throw new UserError(msg.meetings.unknownMeeting(typedId(id)));
    if (m.status === 'cancelled') throw new UserError(msg.meetings.rsvpCancelled);
    const r: Rsvp = { user: userKey(user), name: user.name ?? userKey(user), choice, at: this.o.clock.now() };
    if (delegate) r.delegate = delegate;
    await this.o.redis.hset(this.rsvpKey(m), r.user, JSON.stringify(r));
    return m;
  }

  /** RSVPs of the current occurrence and round (keys of meetings never moved keep their old form). */
  private rsvpKey(m: Meeting): string {
    return m.rsvpRound ? this.key('rsvp', m.id, String(m.seq), `r${m.rsvpRound}`) : this.key('rsvp', m.id, String(m.seq));
  }

  async tally(m: Meeting): Promise<Tally> {
    const all = await this.o.redis.hgetall(this.rsvpKey(m));
    const entries = Object.values(all)
      .map((v) => JSON.parse(v) as Rsvp)
      .sort((a, b) => a.at - b.at);
    const t: Tally = { yes: 0, no: 0, delegate: 0, entries };
    for (const e of entries) t[e.choice]++;
    return t;
  }

  /**
   * Run one reminder job: fan the reminder out to every chat of the meeting's group, unless the
   * meeting has moved on since the job was made. Outbox ids are stable per meeting, occurrence,
   * offset and chat, so a retried or duplicated job never sends twice.
   */
  async fireReminder(job: MeetingReminderJob): Promise<'sent' | 'stale' | 'late' | 'no-group' | 'unreachable'> {
    const m = await this.get(job.meetingId);
    if (m?.status !== 'scheduled' || m.generation !== job.generation || m.occurrence !== job.occurrence) {
      this.o.log.info('stale meeting reminder skipped', { ...job });
      return 'stale';
    }
    // Workers were down past the meeting's start: a reminder now would only confuse.
    if (this.o.clock.now() >= m.occurrence) {
      this.o.log.warn('meeting reminder too late, skipped', { ...job });
      return 'late';
    }
    const group = await this.o.groups.get(m.group);
    if (!group) {
      this.o.log.warn('meeting reminder: group gone', { meeting: m.id, group: m.group });
      return 'no-group';
    }
    const reply = this.reminderReply(m, job.offset);
    // The generation is in the id: after a move to the same instant the old, now stale, queued
    // message must not stand in (by job id) for the new one.
    const queued = await sendToGroup(this.o, group.destinations, `reminder:${m.id}:g${m.generation}:${m.occurrence}:${job.offset}`, reply, {
      kind: 'meeting-reminder',
      id: m.id,
      generation: m.generation,
      occurrence: m.occurrence,
    });
    return queued ? 'sent' : 'unreachable';
  }

  /** Run an advance job: a recurring meeting's occurrence has started; schedule the next one. */
  async advance(job: MeetingAdvanceJob): Promise<'advanced' | 'ended' | 'stale'> {
    const m = await this.get(job.meetingId);
    if (m?.status !== 'scheduled' || m.generation !== job.generation || m.occurrence !== job.occurrence) return 'stale';
    const next = m.every ? nextOccurrence(m.start, m.every, m.zone, m.occurrence) : undefined;
    const now = this.o.clock.now();
    const after: Meeting =
      next === undefined
        ? { ...m, status: 'ended', updatedAt: now }
        : { ...m, occurrence: next, seq: m.seq + 1, updatedAt: now };
    // Jobs first (idempotent by id), then the state: a crash in between leaves jobs whose
    // occurrence does not match yet, and the retried advance completes the move.
    // Reminders due from this occurrence on belong to the next one (a weekly meeting's 7d
    // reminder is due right now) — unless this job ran late, then only those still reasonably
    // timely are sent.
    if (next !== undefined) await this.scheduleOccurrence(after, Math.max(job.occurrence, now - LATE_REMINDER_GRACE_MS));
    if (!(await replaceJsonIf(this.o.redis, this.key('m', m.id), m, after))) return 'stale';
    await this.o.redis.zadd(this.key('all'), after.occurrence, after.id);
    return next === undefined ? 'ended' : 'advanced';
  }

  /**
   * Make sure every scheduled meeting has its pending reminder jobs (schedule is a no-op for jobs
   * that exist). Run at worker start: covers a crash between storing a meeting and scheduling it.
   */
  async reconcile(): Promise<number> {
    const now = this.o.clock.now();
    const live = (await this.list()).filter((m) => m.status === 'scheduled');
    return reconcileAll(live, (m) => this.scheduleOccurrence(m, now));
  }

  /**
   * The reminder message a group receives. With a tally (after someone pressed 参加 / 不参加 on
   * it) the message shows the replies so far and the time left as of now, since the offset it
   * was sent at no longer holds.
   */
  reminderReply(m: Meeting, offset: string | undefined, tally?: Tally): Reply {
    // A reminder running late (workers were down) says how long is really left.
    const left = m.occurrence - this.o.clock.now();
    const late = offset === undefined || left < offsetMs(offset) - LATE_REMINDER_GRACE_MS;
    const lead = late ? msg.meetings.reminderLeadApprox(approxLabel(Math.max(left, 0))) : msg.meetings.reminderLead(offset);
    const blocks: Reply['blocks'] = [{ text: lead }];
    blocks.push({ heading: msg.meetings.fieldWhen, text: this.show(m.occurrence, m.zone) });
    if (m.where) blocks.push({ heading: msg.meetings.fieldWhere, text: m.where });
    blocks.push({ heading: msg.meetings.fieldGroup, text: m.group });
    blocks.push({ text: msg.meetings.reminderAsk });
    if (tally) blocks.push({ heading: msg.meetings.tallyHeading, text: msg.meetings.tally(tally.yes, tally.no, tally.delegate) });
    return this.rsvpNotice(m, msg.meetings.reminderTitle(m.title), blocks);
  }

  /** A notice to the meeting's group that asks for a reply: its 参加 / 不参加 buttons, its id below. */
  private rsvpNotice(m: Meeting, title: string, blocks: Reply['blocks']): Reply {
    return { title, blocks, buttons: [this.rsvpButtons(m)], footer: m.id, tone: 'notice' };
  }

  /** 参加 / 不参加 / 委派他人, routed to commands/meeting.ts as meeting.yes|no|delegate. */
  rsvpButtons(m: Meeting): Button[] {
    return [
      { label: msg.meetings.buttonYes, action: 'meeting.yes', value: m.id },
      { label: msg.meetings.buttonNo, action: 'meeting.no', value: m.id },
      { label: msg.meetings.buttonDelegate, action: 'meeting.delegate', value: m.id },
    ];
  }

  /** An instant as users read it: in the given zone, plus the display zone when they differ. */
  show(at: number, zone: string): string {
    // The zone the meeting was given in, and 北京时间 beside it when that is another zone.
    const shown = zonedWithBeijing(at, zone, msg.meetings.wallTime);
    if (zone === this.o.displayZone || isBeijingZone(this.o.displayZone)) return shown;
    return `${shown}（${msg.meetings.wallTime(wallTime(at, this.o.displayZone))} ${msg.meetings.zoneLabel(this.o.displayZone)}）`;
  }

  /** The reminder jobs (and the advance job) that belong to the meeting's current state. */
  jobsOf(m: Meeting): (MeetingReminderJob | MeetingAdvanceJob)[] {
    const base = { meetingId: m.id, generation: m.generation, occurrence: m.occurrence };
    const jobs: (MeetingReminderJob | MeetingAdvanceJob)[] = m.remind.map((offset) => ({ kind: 'meeting', ...base, offset }));
    if (m.every) jobs.push({ kind: 'advance', ...base });
    return jobs;
  }

  private async scheduleOccurrence(m: Meeting, from: number): Promise<string[]> {
    const skipped: string[] = [];
    const started = m.occurrence <= this.o.clock.now();
    for (const job of this.jobsOf(m)) {
      if (job.kind === 'advance') {
        await this.o.timers.schedule(job, m.occurrence);
        continue;
      }
      const due = m.occurrence - offsetMs(job.offset);
      if (due < from || started) {
        skipped.push(job.offset);
        continue;
      }
      await this.o.timers.schedule(job, due);
    }
    return skipped;
  }

  /**
   * Remove the jobs of a meeting's previous state. Best effort: if it fails the jobs stay, and
   * their generation no longer matches, so they do nothing when they run.
   */
  private async dropJobs(before: Meeting): Promise<void> {
    try {
      await this.o.timers.unschedule(this.jobsOf(before));
    } catch (err) {
      this.o.log.warn('could not remove obsolete reminder jobs (they will run as no-ops)', { meeting: before.id, err });
    }
  }

  private async requireGroup(name: string): Promise<void> {
    const g = await this.o.groups.get(name);
    if (!g) throw new UserError(msg.meetings.unknownGroup(name));
  }

  private async update(id: string, change: (m: Meeting) => Meeting): Promise<{ before: Meeting; after: Meeting }> {
    return updateJson(this.o.redis, this.key('m', typedId(id)), change, () => new UserError(msg.meetings.unknownMeeting(typedId(id))));
  }

  private async notify(m: Meeting, tag: string, reply: Reply): Promise<void> {
    const group = await this.o.groups.get(m.group);
    if (group) await sendToGroup(this.o, group.destinations, `notice:${m.id}:${tag}`, reply, { kind: 'meeting-notice', id: m.id, generation: m.generation });
  }

  private movedNotice(before: Meeting, after: Meeting): Reply {
    const blocks: Reply['blocks'] = [
      { text: msg.meetings.movedNotice(this.show(before.occurrence, before.zone), this.show(after.occurrence, after.zone)) },
    ];
    if (after.where) blocks.push({ heading: msg.meetings.fieldWhere, text: after.where });
    return this.rsvpNotice(after, msg.meetings.movedNoticeTitle(after.title), blocks);
  }

  private cancelledNotice(m: Meeting): Reply {
    return {
      title: msg.meetings.cancelledNoticeTitle(m.title),
      blocks: [{ text: msg.meetings.cancelledNotice(this.show(m.occurrence, m.zone)) }],
      footer: m.id,
      tone: 'notice',
    };
  }
}

/** A cron series starts at its first match at or after the given time; other series at the time itself. */
function firstOccurrence(at: number, every: Recurrence | undefined, zone: string): number {
  if (every?.kind !== 'cron') return at;
  return nextOccurrence(at, every, zone, at - 1) ?? at;
}

/** Time left, rounded to the largest sensible unit, as an offset label (`3h`, `2d`, `12m`). */
function approxLabel(ms: number): string {
  const min = Math.max(1, Math.round(ms / 60_000));
  if (min >= 36 * 60) return `${Math.round(min / (24 * 60))}d`;
  if (min >= 90) return `${Math.round(min / 60)}h`;
  return `${min}m`;
}

/** Milliseconds of a canonical offset label (`7d` → 604800000). */
export function offsetMs(label: string): number {
  const r = parseOffsets(label);
  if (!r.ok || !r.value[0]) throw new Error(`bad stored offset ${label}`);
  return r.value[0].ms;
}
