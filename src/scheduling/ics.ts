/**
 * iCalendar (RFC 5545) files for meetings, so any calendar can import them: CRLF line endings,
 * lines folded at 75 octets without splitting a UTF-8 character, TEXT values escaped.
 *
 * Recurrence: an RRULE expands on the wall clock of its DTSTART, so DTSTART is given in the
 * meeting's own zone (TZID plus a VTIMEZONE defining it). Expanding on UTC instead is wrong
 * whenever the local date differs from the UTC date: a meeting on the 31st at 07:30 Shanghai time
 * is on the 30th in UTC, and "the 30th of every month" lands on May 1st local, where the bot (which
 * skips months without a 31st, as RRULE does on the local clock) holds it on May 31st. For a zone
 * with daylight saving, or a cron pattern RRULE cannot say, the next occurrences are listed as UTC
 * RDATEs instead, each already the right instant: a one-offset VTIMEZONE would be wrong half the year.
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
export function icsUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Local date-time in iCalendar's basic format, for use with TZID: 20261210T093000. */
export function icsLocal(ms: number, zone: string): string {
  const w = wallTime(ms, zone);
  const p = (n: number, l = 2) => String(n).padStart(l, '0');
  return `${p(w.year, 4)}${p(w.month)}${p(w.day)}T${p(w.hour)}${p(w.minute)}${p(w.second)}`;
}

/** UTC offset in iCalendar's form: +0800, -0330 (never -0000, which RFC 5545 forbids). */
export function icsOffset(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
}

/**
 * TZID for a zone. IANA names are kept, so calendars that know them use their own rules. Our
 * fixed offsets (`+08:00`) contain a colon, which would need quoting in a parameter and is not a
 * name any calendar knows, so whole hours become the IANA `Etc/GMT-8` (POSIX sign: inverted) and
 * anything else a name of our own that the VTIMEZONE defines.
 */
export function icsTzid(zone: string): string {
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
export function icsText(s: string): string {
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

/**
 * Whether the zone keeps one UTC offset from a year before `from` to a year after `to`. Sampled
 * every 10 days (no DST period is shorter): checking only the listed occurrences would let a
 * weekly series that happens to fall inside one summer pass, and then the one-offset VTIMEZONE
 * would be wrong for every week after the clocks change.
 */
function steadyOffset(zone: string, from: number, to: number): boolean {
  if (parseOffsetZone(zone) !== undefined) return true;
  const first = zoneOffsetMinutes(from, zone);
  for (let t = from - 366 * DURATION.DAY; t <= to + 366 * DURATION.DAY; t += 10 * DURATION.DAY) {
    if (zoneOffsetMinutes(t, zone) !== first) return false;
  }
  return true;
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
  // Local time + VTIMEZONE whenever the zone keeps one offset; otherwise UTC with the
  // occurrences spelled out (also for a one-off meeting: a plain UTC instant is exact).
  const local = m.every?.kind !== 'cron' && steadyOffset(m.zone, m.occurrence, upcoming.at(-1) ?? m.occurrence);
  const tzid = icsTzid(m.zone);
  const lines: string[] = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//xiezuo//meetings//ZH', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  if (local) lines.push(...fixedVtimezone(tzid, zoneOffsetMinutes(m.occurrence, m.zone)));
  lines.push(
    'BEGIN:VEVENT',
    `UID:${m.id.toLowerCase()}-${m.createdAt}@${o.uidDomain}`,
    `DTSTAMP:${icsUtc(o.now)}`,
    local ? `DTSTART;TZID=${tzid}:${icsLocal(m.occurrence, m.zone)}` : `DTSTART:${icsUtc(m.occurrence)}`,
    `DURATION:${duration(DEFAULT_MEETING_DURATION_MS)}`,
    `SEQUENCE:${m.generation - 1}`,
    `SUMMARY:${icsText(m.title)}`,
  );
  if (m.where) lines.push(`LOCATION:${icsText(m.where)}`);
  if (o.description) lines.push(`DESCRIPTION:${icsText(o.description)}`);
  lines.push(`STATUS:${m.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`);
  if (m.every) {
    if (local && m.every.kind !== 'cron') {
      lines.push(`RRULE:FREQ=${byFreq[m.every.kind]}`);
    } else {
      const rest = upcoming.filter((t) => t !== m.occurrence).slice(0, RDATE_COUNT);
      if (rest.length) lines.push(`RDATE;VALUE=DATE-TIME:${rest.map(icsUtc).join(',')}`);
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
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
