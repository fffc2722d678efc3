/**
 * The offices' own deadlines (本单位事项), beside the documents' deadlines that knowledge holds:
 * text, due date, optional channel group and responsible department, reminders before the due
 * date to the group (default 7d and 1d), and done. Keys under `<prefix>:deadlines:*`.
 *
 * A date-only due date anchors reminders at 09:00 that day in the office's zone (nobody wants a
 * midnight reminder) and counts as overdue once the day is over.
 */
import { typedId } from '../args.ts';
import type { OutgoingMessage } from '../delivery/outbox.ts';
import { UserError } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import { offsetMs } from './meetings.ts';
import type { Reply } from '../messages.ts';
import type { DeadlineReminderJob } from './reminder-queue.ts';
import { keyspace, readIndexed, readJson, updateJson } from '../store/redis.ts';
import { type ReminderOwnerOptions, listenForReminders, reconcileAll, sendToGroup } from './reminders.ts';
import { DURATION, wallTime, zonedToInstant } from '../time.ts';

export interface OfficeDeadline {
  id: string;
  text: string;
  /** Due date as entered, YYYY-MM-DD in `zone`. */
  dueDate: string;
  /** The instant reminders count back from (09:00 on the due date, or the time given). */
  dueAt: number;
  /** Overdue after this instant (end of the due date, or the time given). */
  endsAt: number;
  zone: string;
  group?: string;
  owner?: string;
  remind: string[];
  status: 'open' | 'done';
  generation: number;
  createdBy: string;
  createdAt: number;
  doneAt?: number;
  doneBy?: string;
}

export interface NewOfficeDeadline {
  text: string;
  /** The parsed due instant and whether a time of day was given. */
  at: number;
  hasTime: boolean;
  zone: string;
  group?: string;
  owner?: string;
  remind: string[];
  createdBy: string;
}

export type OfficeDeadlinesOptions = ReminderOwnerOptions;

/** Hour of the due date reminders count back from when only a date was given. */
const DEADLINE_ANCHOR_HOUR = 9;

const pad = (n: number) => String(n).padStart(2, '0');

export class OfficeDeadlines {
  private readonly key: (...parts: string[]) => string;

  constructor(private readonly o: OfficeDeadlinesOptions) {
    this.key = keyspace(o.prefix, 'deadlines');
    listenForReminders(o, 'deadline-reminder', (m) => this.reminderIsCurrent(m));
  }

  /** A queued reminder is still wanted: the deadline is open, of the same generation, not yet over. */
  async reminderIsCurrent(message: OutgoingMessage): Promise<boolean> {
    const d = await this.get(message.origin.id);
    return !!d && d.status === 'open' && d.generation === message.origin.generation && this.o.clock.now() < d.endsAt;
  }

  async get(id: string): Promise<OfficeDeadline | undefined> {
    return readJson<OfficeDeadline>(this.o.redis, this.key('d', typedId(id)));
  }

  /** All deadlines by due date; done ones only when asked. */
  async list(opts: { includeDone?: boolean } = {}): Promise<OfficeDeadline[]> {
    const all = await readIndexed<OfficeDeadline>(this.o.redis, this.key('all'), (id) => this.key('d', id));
    return opts.includeDone ? all : all.filter((d) => d.status === 'open');
  }

  isOverdue(d: OfficeDeadline): boolean {
    return d.status === 'open' && this.o.clock.now() > d.endsAt;
  }

  /** Store a deadline and schedule its reminders (only when it has a group to remind). */
  async add(input: NewOfficeDeadline): Promise<{ deadline: OfficeDeadline; skipped: string[] }> {
    const now = this.o.clock.now();
    const w = wallTime(input.at, input.zone);
    const dueDate = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
    const dueAt = input.hasTime
      ? input.at
      : zonedToInstant({ year: w.year, month: w.month, day: w.day, hour: DEADLINE_ANCHOR_HOUR, minute: 0 }, input.zone);
    const endsAt = input.hasTime ? input.at : input.at + DURATION.DAY;
    if (endsAt <= now) throw new UserError(msg.meetings.deadlineInPast(msg.meetings.wallDate(w)));
    if (input.group && !(await this.o.groups.get(input.group))) throw new UserError(msg.meetings.unknownGroup(input.group));
    const id = `D${await this.o.redis.incr(this.key('seq'))}`;
    const d: OfficeDeadline = {
      id,
      text: input.text,
      dueDate,
      dueAt,
      endsAt,
      zone: input.zone,
      remind: input.remind,
      status: 'open',
      generation: 1,
      createdBy: input.createdBy,
      createdAt: now,
    };
    if (input.group) d.group = input.group;
    if (input.owner) d.owner = input.owner;
    await this.o.redis.multi().set(this.key('d', id), JSON.stringify(d)).zadd(this.key('all'), d.endsAt, id).exec();
    const skipped = await this.schedule(d, now);
    return { deadline: d, skipped };
  }

  /** Mark done; pending reminders are removed (and would do nothing anyway). */
  async done(id: string, by: string): Promise<OfficeDeadline> {
    const { before, after } = await updateJson<OfficeDeadline>(
      this.o.redis,
      this.key('d', typedId(id)),
      (d) => {
        if (d.status === 'done') throw new UserError(msg.meetings.deadlineAlreadyDone(d.id));
        return { ...d, status: 'done', generation: d.generation + 1, doneAt: this.o.clock.now(), doneBy: by };
      },
      () => new UserError(msg.meetings.unknownDeadline(typedId(id))),
    );
    try {
      await this.o.timers.unschedule(this.jobsOf(before));
    } catch (err) {
      // Left in place they do nothing: the generation no longer matches.
      this.o.log.warn('could not remove reminder jobs of a done deadline', { deadline: before.id, err });
    }
    return after;
  }

  /** Run one reminder job; a done deadline or an older generation makes it a no-op. */
  async fireReminder(job: DeadlineReminderJob): Promise<'sent' | 'stale' | 'no-group' | 'unreachable'> {
    const d = await this.get(job.deadlineId);
    if (d?.status !== 'open' || d.generation !== job.generation || !d.group) return 'stale';
    // Workers were down past the due time: the reminder has lost its point.
    if (this.o.clock.now() >= d.endsAt) return 'stale';
    const group = await this.o.groups.get(d.group);
    if (!group) return 'no-group';
    const origin = { kind: 'deadline-reminder' as const, id: d.id, generation: d.generation };
    const queued = await sendToGroup(this.o, group.destinations, `deadline:${d.id}:${d.generation}:${job.offset}`, this.reminderReply(d, job.offset), origin);
    return queued ? 'sent' : 'unreachable';
  }

  /** Re-create missing reminder jobs of open deadlines (worker start). */
  async reconcile(): Promise<number> {
    const now = this.o.clock.now();
    return reconcileAll(await this.list(), (d) => this.schedule(d, now));
  }

  /** Due date as users read it, with the time of day when one was given (it then ends the deadline). */
  showDue(d: OfficeDeadline): string {
    const w = wallTime(d.dueAt, d.zone);
    return d.endsAt === d.dueAt ? msg.meetings.wallTime(w) : msg.meetings.wallDate(w);
  }

  reminderReply(d: OfficeDeadline, offset: string): Reply {
    const blocks: Reply['blocks'] = [{ text: msg.meetings.deadlineReminderLead(offset, this.showDue(d)) }];
    if (d.owner) blocks.push({ heading: msg.meetings.deadlineOwner, text: d.owner });
    return { title: msg.meetings.deadlineReminderTitle(d.text), blocks, footer: d.id, tone: 'notice' };
  }

  private jobsOf(d: OfficeDeadline): DeadlineReminderJob[] {
    return d.remind.map((offset) => ({ kind: 'deadline', deadlineId: d.id, generation: d.generation, offset }));
  }

  private async schedule(d: OfficeDeadline, from: number): Promise<string[]> {
    if (!d.group || d.status !== 'open') return [];
    const skipped: string[] = [];
    for (const job of this.jobsOf(d)) {
      const due = d.dueAt - offsetMs(job.offset);
      if (due < from) skipped.push(job.offset);
      else await this.o.timers.schedule(job, due);
    }
    return skipped;
  }
}
