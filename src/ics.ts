/**
 * iCalendar (RFC 5545) files for meetings, so any calendar can import them: CRLF line endings,
 * lines folded at 75 octets without splitting a UTF-8 character, TEXT values escaped, times in UTC.
 *
 * Recurrence: an RRULE expands on the DTSTART's clock, which here is UTC; that is exact when the
 * meeting's zone keeps one offset all year (Asia/Shanghai, fixed offsets). For a zone with daylight
 * saving, or a cron pattern RRULE cannot say, the next occurrences are listed as RDATEs instead,
 * each already the right instant.
 */
import type { Meeting } from './meetings.ts';
import { offsetMs } from './meetings.ts';
import { DURATION, occurrences, zoneOffsetMinutes } from './time.ts';

/** Occurrences listed when RRULE cannot express a series exactly. */
export const RDATE_COUNT = 24;

/** UTC date-time in iCalendar's basic format: 20261210T013000Z. */
export function icsUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
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

/** Whether the zone's UTC offset is the same at every one of these instants. */
function steadyOffset(zone: string, at: number[]): boolean {
  const offs = new Set(at.map((t) => zoneOffsetMinutes(t, zone)));
  return offs.size <= 1;
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
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//xiezuo//meetings//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${m.id.toLowerCase()}-${m.createdAt}@${o.uidDomain}`,
    `DTSTAMP:${icsUtc(o.now)}`,
    `DTSTART:${icsUtc(m.occurrence)}`,
    `SEQUENCE:${m.generation - 1}`,
    `SUMMARY:${icsText(m.title)}`,
  ];
  if (m.where) lines.push(`LOCATION:${icsText(m.where)}`);
  if (o.description) lines.push(`DESCRIPTION:${icsText(o.description)}`);
  lines.push(`STATUS:${m.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`);
  if (m.every) {
    const upcoming = occurrences(m.occurrence, m.every, m.zone, RDATE_COUNT + 1);
    const byFreq = { yearly: 'YEARLY', monthly: 'MONTHLY', weekly: 'WEEKLY' } as const;
    if (m.every.kind !== 'cron' && steadyOffset(m.zone, upcoming)) {
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
