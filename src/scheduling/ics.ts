/**
 * iCalendar (RFC 5545) files for meetings, so any calendar can import them: CRLF line endings,
 * lines folded at 75 octets without splitting a UTF-8 character, TEXT values escaped.
 *
 * Recurrence: an RRULE expands on the wall clock of its DTSTART, so DTSTART is always given in the
 * meeting's own zone (TZID plus a VTIMEZONE defining it, with the zone's daylight-saving rules
 * where it has them). Expanding on UTC instead is wrong whenever the local date differs from the
 * UTC date, and a one-offset VTIMEZONE would be wrong half the year. yearly/monthly/weekly and the
 * cron patterns RRULE can say (fixed minute and hours; any day, chosen weekdays, chosen days of the
 * month, or chosen days of chosen months) become an RRULE; any other cron pattern lists its next
 * occurrences as RDATEs on the same local clock.
 */
import type { Meeting } from './meetings.ts';
import { offsetMs } from './meetings.ts';
import { DURATION, occurrences, parseOffsetZone, wallTime, zoneOffsetMinutes } from '../time.ts';

/** Occurrences listed when RRULE cannot express a series exactly. */
export const RDATE_COUNT = 24;

/**
 * Length given to every event: meetings carry no end time, and without DTEND or DURATION calendars
 * show a zero-length mark that is easy to miss. Two hours fits a 联席会议 session.
 */
export const DEFAULT_MEETING_DURATION_MS = 2 * DURATION.HOUR;

/** UTC date-time in iCalendar's basic format: 20261210T013000Z. */
function icsUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Local date-time in iCalendar's basic format, for use with TZID: 20261210T093000. */
function icsLocal(ms: number, zone: string): string {
  const w = wallTime(ms, zone);
  const p = (n: number, l = 2) => String(n).padStart(l, '0');
  return `${p(w.year, 4)}${p(w.month)}${p(w.day)}T${p(w.hour)}${p(w.minute)}${p(w.second)}`;
}

/** UTC offset in iCalendar's form: +0800, -0330 (never -0000, which RFC 5545 forbids). */
function icsOffset(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
}

/**
 * TZID for a zone. IANA names are kept, so calendars that know them use their own rules. Our
 * fixed offsets (`+08:00`) contain a colon, which would need quoting in a parameter and is not a
 * name any calendar knows, so whole hours become the IANA `Etc/GMT-8` (POSIX sign: inverted) and
 * anything else a name of our own that the VTIMEZONE defines.
 */
function icsTzid(zone: string): string {
  const off = parseOffsetZone(zone);
  if (off === undefined) return zone;
  if (off === 0) return 'Etc/UTC';
  if (off % 60 === 0 && off >= -12 * 60 && off <= 14 * 60) return `Etc/GMT${off > 0 ? '-' : '+'}${Math.abs(off / 60)}`;
  return `UTC${icsOffset(off)}`;
}

/** A VTIMEZONE for a zone that keeps one offset: a single STANDARD observance. */
function fixedVtimezone(tzid: string, offsetMinutes: number): string[] {
  const off = icsOffset(offsetMinutes);
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${tzid}`,
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    `TZOFFSETFROM:${off}`,
    `TZOFFSETTO:${off}`,
    'END:STANDARD',
    'END:VTIMEZONE',
  ];
}

/** Escape a TEXT value (RFC 5545 3.3.11). */
function icsText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Fold one content line into ≤75-octet pieces, continuation lines starting with a space. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let cur = '';
  let curBytes = 0;
  let limit = 75;
  for (const ch of line) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (curBytes + b > limit) {
      out.push(cur);
      cur = ' ';
      curBytes = 1;
      limit = 75;
    }
    cur += ch;
    curBytes += b;
  }
  out.push(cur);
  return out.join('\r\n');
}

function duration(ms: number): string {
  const d = Math.floor(ms / DURATION.DAY);
  let rest = ms - d * DURATION.DAY;
  const h = Math.floor(rest / DURATION.HOUR);
  rest -= h * DURATION.HOUR;
  const m = Math.floor(rest / DURATION.MINUTE);
  const s = Math.round((rest - m * DURATION.MINUTE) / 1000);
  let t = '';
  if (h) t += `${h}H`;
  if (m) t += `${m}M`;
  if (s) t += `${s}S`;
  if (!d && !t) return 'PT0S';
  return `P${d ? `${d}D` : ''}${t ? `T${t}` : ''}`;
}

/** Offset transitions of a zone inside [from, to): the instant and the offsets either side. */
function transitions(zone: string, from: number, to: number): { at: number; before: number; after: number }[] {
  const out: { at: number; before: number; after: number }[] = [];
  // Sampled a week apart (offset changes are months apart, even Morocco's around Ramadan), then
  // narrowed to the minute: a seven-times shorter scan of the years an export covers.
  const step = 7 * DURATION.DAY;
  let prev = zoneOffsetMinutes(from, zone);
  for (let t = from + step; t < to + step; t += step) {
    const off = zoneOffsetMinutes(Math.min(t, to), zone);
    if (off === prev) continue;
    // Narrow the change down to the minute.
    let lo = t - step;
    let hi = Math.min(t, to);
    while (hi - lo > DURATION.MINUTE) {
      const mid = lo + Math.max(1, Math.floor((hi - lo) / 2 / DURATION.MINUTE)) * DURATION.MINUTE;
      if (zoneOffsetMinutes(mid, zone) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, before: prev, after: off });
    prev = off;
  }
  return out;
}

const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const yearStart = (y: number) => Date.UTC(y, 0, 1);

/** A transition as a yearly rule on the wall clock before it: BYMONTH=3;BYDAY=-1SU at 02:00. */
function transitionRule(t: { at: number; before: number }): { wall: Date; rule: string } {
  const wall = new Date(t.at + t.before * DURATION.MINUTE);
  const day = wall.getUTCDate();
  const daysInMonth = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 0)).getUTCDate();
  const nth = day + 7 > daysInMonth ? -1 : Math.ceil(day / 7);
  return { wall, rule: `FREQ=YEARLY;BYMONTH=${wall.getUTCMonth() + 1};BYDAY=${nth}${WEEKDAY_CODES[wall.getUTCDay()]}` };
}

/** The rule's transition in a year, as an instant (for checking that the rule holds). */
function ruleInstant(ruleWall: Date, rule: string, year: number, before: number): number {
  const month = Number(/BYMONTH=(\d+)/.exec(rule)![1]) - 1;
  const m = /BYDAY=(-?\d)(\w\w)/.exec(rule)!;
  const nth = Number(m[1]);
  const wd = WEEKDAY_CODES.indexOf(m[2]!);
  let day: number;
  if (nth > 0) {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    day = 1 + ((wd - first + 7) % 7) + 7 * (nth - 1);
  } else {
    const lastDay = new Date(Date.UTC(year, month + 1, 0));
    day = lastDay.getUTCDate() - ((lastDay.getUTCDay() - wd + 7) % 7);
  }
  return Date.UTC(year, month, day, ruleWall.getUTCHours(), ruleWall.getUTCMinutes()) - before * DURATION.MINUTE;
}

const localStamp = (d: Date) => icsUtc(d.getTime()).replace(/Z$/, '');

/**
 * A VTIMEZONE for an IANA zone between two instants: one observance when its offset never
 * changes, otherwise a STANDARD and a DAYLIGHT observance, each a yearly RRULE when the zone's
 * transitions follow one (checked over every year of the span), else one observance per
 * transition.
 */
function zoneVtimezone(tzid: string, zone: string, from: number, to: number): string[] {
  const fixed = parseOffsetZone(zone);
  if (fixed !== undefined) return fixedVtimezone(tzid, fixed);
  const y0 = new Date(from).getUTCFullYear() - 1;
  const y1 = Math.max(new Date(to).getUTCFullYear() + 1, y0 + 3);
  const all = transitions(zone, yearStart(y0), yearStart(y1 + 1));
  if (!all.length) return fixedVtimezone(tzid, zoneOffsetMinutes(from, zone));
  const observance = (t: { before: number; after: number }, dtstart: string, extra: string[]) => {
    const kind = t.after > t.before ? 'DAYLIGHT' : 'STANDARD';
    return [`BEGIN:${kind}`, `DTSTART:${dtstart}`, ...extra, `TZOFFSETFROM:${icsOffset(t.before)}`, `TZOFFSETTO:${icsOffset(t.after)}`, `END:${kind}`];
  };
  const firstYear = all.filter((t) => new Date(t.at).getUTCFullYear() === y0);
  const rules = firstYear.map((t) => ({ t, ...transitionRule(t) }));
  const holds =
    rules.length === 2 &&
    all.every((t) => rules.some((r) => r.t.before === t.before && r.t.after === t.after && ruleInstant(r.wall, r.rule, new Date(t.at).getUTCFullYear(), t.before) === t.at));
  const lines = ['BEGIN:VTIMEZONE', `TZID:${tzid}`];
  if (holds) for (const r of rules) lines.push(...observance(r.t, localStamp(r.wall), [`RRULE:${r.rule}`]));
  else for (const t of all) lines.push(...observance(t, localStamp(new Date(t.at + t.before * DURATION.MINUTE)), []));
  lines.push('END:VTIMEZONE');
  return lines;
}

const CRON_DOW: Record<string, number> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

/** A cron list of numbers (1,3,5 · 1-5 · MON-FRI), or undefined for steps and anything else. */
function cronList(field: string, names: Record<string, number> = {}): number[] | undefined {
  const out: number[] = [];
  for (const part of field.toUpperCase().split(',')) {
    const m = /^(\w+)(?:-(\w+))?$/.exec(part);
    if (!m) return undefined;
    const num = (x: string) => (/^\d+$/.test(x) ? Number(x) : names[x]);
    const a = num(m[1]!);
    const b = m[2] !== undefined ? num(m[2]) : a;
    if (a === undefined || b === undefined || b < a) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

/**
 * The RRULE of a cron pattern, when RRULE can say it: a fixed minute, fixed hours, and every
 * day, chosen weekdays, chosen days of the month, or chosen days of chosen months.
 */
function cronRrule(pattern: string): string | undefined {
  let f = pattern.trim().split(/\s+/);
  if (f.length === 6) {
    if (f[0] !== '0') return undefined;
    f = f.slice(1);
  }
  if (f.length !== 5) return undefined;
  const [min, hour, dom, mon, dow] = f as [string, string, string, string, string];
  const minutes = cronList(min);
  const hours = cronList(hour);
  if (minutes?.length !== 1 || !hours) return undefined;
  const time = `;BYHOUR=${hours.join(',')};BYMINUTE=${minutes[0]}`;
  if (dom === '*' && mon === '*' && dow === '*') return `FREQ=DAILY${time}`;
  if (dom === '*' && mon === '*') {
    const days = cronList(dow, CRON_DOW);
    if (!days) return undefined;
    return `FREQ=WEEKLY;BYDAY=${[...new Set(days.map((d) => WEEKDAY_CODES[d % 7]))].join(',')}${time}`;
  }
  if (dow !== '*' && dow !== '?') return undefined;
  const days = cronList(dom);
  if (!days || days.some((d) => d < 1 || d > 31)) return undefined;
  if (mon === '*') return `FREQ=MONTHLY;BYMONTHDAY=${days.join(',')}${time}`;
  const months = cronList(mon);
  if (!months || months.some((m) => m < 1 || m > 12)) return undefined;
  return `FREQ=YEARLY;BYMONTH=${months.join(',')};BYMONTHDAY=${days.join(',')}${time}`;
}

export interface IcsOptions {
  /** DTSTAMP: when the file was made. */
  now: number;
  /** Host part of the UID, stable per deployment. */
  uidDomain: string;
  /** Alarm text (the meeting title is appended). */
  alarmText: (offsetLabel: string) => string;
  description?: string;
}

/** One VCALENDAR holding one VEVENT for the meeting, as a string with CRLF line endings. */
export function meetingIcs(m: Meeting, o: IcsOptions): string {
  const upcoming = m.every ? occurrences(m.occurrence, m.every, m.zone, RDATE_COUNT + 1) : [m.occurrence];
  const byFreq = { yearly: 'YEARLY', monthly: 'MONTHLY', weekly: 'WEEKLY' } as const;
  const rrule = !m.every ? undefined : m.every.kind === 'cron' ? cronRrule(m.every.pattern) : `FREQ=${byFreq[m.every.kind]}`;
  // A cron series starts at its first occurrence, which need not be the stored start.
  const first = upcoming[0] ?? m.occurrence;
  const tzid = icsTzid(m.zone);
  const lines: string[] = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//xiezuo//meetings//ZH', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  lines.push(...zoneVtimezone(tzid, m.zone, first, upcoming.at(-1) ?? first));
  lines.push(
    'BEGIN:VEVENT',
    `UID:${m.id.toLowerCase()}-${m.createdAt}@${o.uidDomain}`,
    `DTSTAMP:${icsUtc(o.now)}`,
    `DTSTART;TZID=${tzid}:${icsLocal(first, m.zone)}`,
    `DURATION:${duration(DEFAULT_MEETING_DURATION_MS)}`,
    `SEQUENCE:${m.generation - 1}`,
    `SUMMARY:${icsText(m.title)}`,
  );
  if (m.where) lines.push(`LOCATION:${icsText(m.where)}`);
  if (o.description) lines.push(`DESCRIPTION:${icsText(o.description)}`);
  lines.push(`STATUS:${m.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`);
  if (m.every) {
    if (rrule) lines.push(`RRULE:${rrule}`);
    else {
      // DTSTART is listed again: RFC 5545 makes it the first instance, but parsers that expand
      // RDATEs alone (ical.js) would otherwise skip it; a repeated instance counts once.
      const rest = upcoming.slice(0, RDATE_COUNT);
      // On the DTSTART's clock (parsers compare RDATEs with DTSTART as written: ical.js puts UTC
      // RDATEs before a zoned DTSTART). A cron time inside a DST gap has no local reading; calendars
      // shift it as they shift any such time.
      if (rest.length) lines.push(`RDATE;TZID=${tzid}:${rest.map((t) => icsLocal(t, m.zone)).join(',')}`);
    }
  }
  for (const label of m.remind) {
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `TRIGGER;RELATED=START:-${duration(offsetMs(label))}`,
      `DESCRIPTION:${icsText(`${o.alarmText(label)}${m.title}`)}`,
      'END:VALARM',
    );
  }
  lines.push('END:VEVENT', 'END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
