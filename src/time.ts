/**
 * Wall-clock time in a named zone ⇄ instants (UTC ms), the date/time forms officials type, reminder
 * offsets and recurrence. Instants are what we store; zones are only for reading and writing.
 *
 * A zone is an IANA name (`Europe/Berlin`) or a fixed offset (`+08:00`); Node 20's Intl does not
 * take offsets as zone names, so offsets are handled here by arithmetic.
 */
import { createRequire } from 'node:module';
import type * as CronParser from 'cron-parser';

let cronParser: typeof CronParser.CronExpressionParser | undefined;

/**
 * cron-parser, required on first use: only recurring meetings need it, and loading it (with
 * luxon) at import cost every process ~15 ms before its first answer (src/store/bullmq.ts says
 * why require and not import).
 */
function cron(): typeof CronParser.CronExpressionParser {
  cronParser ??= (createRequire(import.meta.url)('cron-parser') as typeof CronParser).CronExpressionParser;
  return cronParser;
}

export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** `+08:00`, `-05:30`, `UTC+8`, `GMT+8` → minutes east of UTC; undefined when not an offset. */
export function parseOffsetZone(text: string): number | undefined {
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(text.trim());
  if (!m) return undefined;
  const h = Number(m[2]);
  const mm = Number(m[3] ?? 0);
  if (h > 14 || mm > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mm);
}

function offsetZoneName(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Canonical zone name, or undefined when the text is neither an IANA zone nor an offset. */
export function normaliseZone(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const off = parseOffsetZone(t);
  if (off !== undefined) return offsetZoneName(off);
  if (/^(UTC|GMT|Z)$/i.test(t)) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: t }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Wall time of an instant in a zone. */
export function wallTime(ms: number, zone: string): WallTime {
  const off = parseOffsetZone(zone);
  if (off !== undefined) {
    const d = new Date(ms + off * MINUTE);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** Minutes east of UTC of a zone at an instant (DST-aware for IANA zones). */
export function zoneOffsetMinutes(ms: number, zone: string): number {
  const off = parseOffsetZone(zone);
  if (off !== undefined) return off;
  const w = wallTime(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / MINUTE);
}

/**
 * The instant at which the zone's clocks show this wall time. A time skipped by a DST jump is
 * moved forward by the jump (02:30 on a spring-forward night becomes 03:30); a repeated time takes
 * its first (earlier) instant.
 */
export function zonedToInstant(
  w: Pick<WallTime, 'year' | 'month' | 'day' | 'hour' | 'minute'> & { second?: number },
  zone: string,
): number {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);
  if (parseOffsetZone(zone) !== undefined) return guess - zoneOffsetMinutes(guess, zone) * MINUTE;
  // Offsets in force a day either side cover any single transition near this wall time.
  const before = zoneOffsetMinutes(guess - DAY, zone);
  const after = zoneOffsetMinutes(guess + DAY, zone);
  const valid = [before, after]
    .map((o) => guess - o * MINUTE)
    .filter((t) => zoneOffsetMinutes(t, zone) * MINUTE === guess - t);
  if (valid.length) return Math.min(...valid);
  return guess - before * MINUTE;
}

/** Whether y-m-d is a real calendar date. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export type WhenError = 'malformed' | 'badDate' | 'badTime' | 'badZone';

export interface ParsedWhen {
  at: number;
  zone: string;
  /** Whether the text named a time of day (deadlines may give a date alone). */
  hasTime: boolean;
}

/**
 * Parse what an official types for a date and time: `2026-12-10 09:30`, `2026/12/10 9:30`,
 * `2026.12.10 9:30`, `2026-12-10T09:30`, `2026年12月10日 9:30`, `2026年12月10日上午9点30分`,
 * `12月10日 9:30` (this year, or next when that date has passed), with an optional trailing zone
 * (`+08:00`, `UTC+8`, `Europe/Berlin`). Full-width digits and marks are accepted. A date alone is
 * accepted when `dateOnly` allows it and means `defaultTime` (00:00 unless given).
 */
export function parseWhen(
  text: string,
  opts: { zone: string; now: number; dateOnly?: boolean; defaultTime?: { hour: number; minute: number } },
): { ok: true; value: ParsedWhen } | { ok: false; error: WhenError } {
  let t = text.normalize('NFKC').trim().replace(/\s+/g, ' ');
  let zone = opts.zone;
  // A trailing zone: `UTC+8`, `+08:00`, ` +0800`, ` Europe/Berlin`, `Z`. A bare `-10` is not one
  // (it would eat the day of `2026-12-10`).
  const zm =
    /(?:(?<=\d)|\s)((?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?|[+-]\d{1,2}:\d{2}|(?<=\s)[+-]\d{4}|(?<=\s)[A-Za-z]+\/[A-Za-z_+-]+(?:\/[A-Za-z_+-]+)?|UTC|GMT|Z)$/i.exec(
      t,
    );
  if (zm) {
    const z = normaliseZone(zm[1]!);
    if (!z) return { ok: false, error: 'badZone' };
    zone = z;
    t = t.slice(0, zm.index).trim();
  }
  const m =
    /^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:(?:\s*[T ]\s*|\s*)(上午|下午|晚上|早上|中午)?\s*(\d{1,2})\s*(?:[:点時时])\s*(\d{1,2}|半)?\s*分?(?::(\d{1,2}))?)?$/.exec(
      t,
    );
  if (!m) return { ok: false, error: 'malformed' };
  const hasTime = m[5] !== undefined;
  if (!hasTime && !opts.dateOnly) return { ok: false, error: 'malformed' };
  const month = Number(m[2]);
  const day = Number(m[3]);
  let hour = hasTime ? Number(m[5]) : (opts.defaultTime?.hour ?? 0);
  const minute = hasTime ? (m[6] === '半' ? 30 : Number(m[6] ?? 0)) : (opts.defaultTime?.minute ?? 0);
  const second = m[7] !== undefined ? Number(m[7]) : 0;
  const half = m[4];
  if (half === '下午' || half === '晚上') {
    if (hour < 12) hour += 12;
  } else if (half === '中午') {
    if (hour < 11) hour += 12;
  }
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, error: 'badTime' };
  let year: number;
  if (m[1] !== undefined) {
    year = Number(m[1]);
    if (!isCalendarDate(year, month, day)) return { ok: false, error: 'badDate' };
  } else {
    // No year: the next time this date comes round in the zone.
    year = wallTime(opts.now, zone).year;
    if (!isCalendarDate(year, month, day) && !isCalendarDate(year + 1, month, day)) return { ok: false, error: 'badDate' };
    const at = isCalendarDate(year, month, day) ? zonedToInstant({ year, month, day, hour, minute, second }, zone) : -Infinity;
    if (at < opts.now) year += 1;
    if (!isCalendarDate(year, month, day)) year += 3; // 2月29日: the next leap year
    if (!isCalendarDate(year, month, day)) return { ok: false, error: 'badDate' };
  }
  return { ok: true, value: { at: zonedToInstant({ year, month, day, hour, minute, second }, zone), zone, hasTime } };
}

/**
 * `<time words…> [group]` → the time and, when the last word is not part of it, that word as the
 * group. `prefer: 'group'` reads the last word as a group whenever the words before it make a
 * time (a meeting names its group, and a group named like a zone must stay a group);
 * `prefer: 'time'` reads all the words as the time first (a deadline's group is optional, and
 * `2026-12-31 17:00` is a date and a time, not a date and a group called 17:00).
 * A preferred reading that fails for a specific reason (no such day, hour 25) is final. On
 * failure: the words that should have been the time and the most telling reason (a day that
 * does not exist says so, rather than "malformed" for the reading that took a group too).
 */
export function parseWhenAndGroup(
  words: readonly string[],
  opts: { zone: string; now: number; dateOnly?: boolean; prefer: 'group' | 'time' },
): { ok: true; value: ParsedWhen; group?: string } | { ok: false; error: WhenError; text: string } {
  type Reading = { text: string; group?: string };
  const all: Reading = { text: words.join(' ') };
  const withGroup: Reading | undefined = words.length >= 2 ? { text: words.slice(0, -1).join(' '), group: words[words.length - 1]! } : undefined;
  const readings = opts.prefer === 'group' ? [withGroup, all] : [all, withGroup];
  const failures: { error: WhenError; text: string }[] = [];
  for (const r of readings) {
    if (!r) continue;
    const p = parseWhen(r.text, opts);
    if (p.ok) return r.group !== undefined ? { ok: true, value: p.value, group: r.group } : { ok: true, value: p.value };
    // The preferred reading had the shape of a time but not a valid one (`2026-12-31 25:00`):
    // that is the mistake to name, not a reason to read `25:00` as a group.
    if (!failures.length && p.error !== 'malformed') return { ok: false, error: p.error, text: r.text };
    failures.push({ error: p.error, text: r.text });
  }
  // Either reading may be the one that was meant; the specific reason beats "malformed".
  const telling = failures.find((f) => f.error !== 'malformed');
  return { ok: false, ...(telling ?? { error: 'malformed', text: withGroup?.text ?? all.text }) };
}

/** One reminder offset before an event: its label as typed canonically (`7d`) and its length. */
export interface Offset {
  label: string;
  ms: number;
}

const UNITS: Record<string, number> = {
  s: 1000,
  m: MINUTE,
  min: MINUTE,
  h: HOUR,
  d: DAY,
  w: 7 * DAY,
  秒: 1000,
  分: MINUTE,
  分钟: MINUTE,
  时: HOUR,
  小时: HOUR,
  天: DAY,
  日: DAY,
  周: 7 * DAY,
};

/** `7d,1d,1h,30m` (also `，`, spaces, 天/小时/分钟) → offsets, longest first, duplicates dropped. */
export function parseOffsets(text: string): { ok: true; value: Offset[] } | { ok: false; bad: string } {
  const out = new Map<number, Offset>();
  for (const raw of text.normalize('NFKC').split(/[,，、\s]+/)) {
    if (!raw) continue;
    const m = /^(\d{1,4})(s|min|m|h|d|w|秒|分钟|分|小时|时|天|日|周)$/i.exec(raw);
    const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
    if (!m || unit === undefined || Number(m[1]) === 0) return { ok: false, bad: raw };
    const ms = Number(m[1]) * unit;
    if (ms > 366 * DAY) return { ok: false, bad: raw };
    out.set(ms, { label: offsetLabel(ms), ms });
  }
  if (!out.size) return { ok: false, bad: text };
  return { ok: true, value: [...out.values()].sort((a, b) => b.ms - a.ms) };
}

/** Canonical short label of an offset in the largest whole unit: 604800000 → `7d`. */
function offsetLabel(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE}m`;
  return `${Math.round(ms / 1000)}s`;
}

export type Recurrence = { kind: 'yearly' | 'monthly' | 'weekly' } | { kind: 'cron'; pattern: string };

/** `yearly`/`每年`, `monthly`/`每月`, `weekly`/`每周`, or a 5- or 6-field cron pattern. */
export function parseRecurrence(text: string): Recurrence | undefined {
  const t = text.normalize('NFKC').trim();
  const k = t.toLowerCase();
  if (['yearly', 'annually', 'annual', '每年', '年'].includes(k)) return { kind: 'yearly' };
  if (['monthly', '每月', '月'].includes(k)) return { kind: 'monthly' };
  if (['weekly', '每周', '周'].includes(k)) return { kind: 'weekly' };
  const fields = t.split(/\s+/);
  if (fields.length < 5 || fields.length > 6) return undefined;
  try {
    cron().parse(t, { tz: 'UTC', strict: false });
    return { kind: 'cron', pattern: fields.join(' ') };
  } catch {
    return undefined;
  }
}

/**
 * The first occurrence strictly after `after` of a series that starts at `start`, computed on the
 * zone's wall clock: a yearly 09:30 meeting stays at 09:30 local across DST changes and year ends.
 * Monthly/yearly series skip months without the start's day (like RRULE: the 31st skips April).
 * For a cron series `start` is only the lower bound.
 */
export function nextOccurrence(start: number, rule: Recurrence, zone: string, after: number): number | undefined {
  if (rule.kind === 'cron') return nextCron(rule.pattern, zone, Math.max(after, start - 1));
  if (start > after) return start;
  const w = wallTime(start, zone);
  for (let k = 1; k < 5000; k++) {
    let { year, month, day } = w;
    if (rule.kind === 'yearly') year += k;
    else if (rule.kind === 'monthly') {
      const idx = w.month - 1 + k;
      year = w.year + Math.floor(idx / 12);
      month = (idx % 12) + 1;
    } else {
      const d = new Date(Date.UTC(w.year, w.month - 1, w.day + 7 * k));
      year = d.getUTCFullYear();
      month = d.getUTCMonth() + 1;
      day = d.getUTCDate();
    }
    if (!isCalendarDate(year, month, day)) continue;
    const t = zonedToInstant({ year, month, day, hour: w.hour, minute: w.minute, second: w.second }, zone);
    if (t > after) return t;
  }
  return undefined;
}

function nextCron(pattern: string, zone: string, after: number): number | undefined {
  try {
    const off = parseOffsetZone(zone);
    if (off !== undefined) {
      // A fixed offset: run the pattern on a shifted UTC clock.
      const shift = off * MINUTE;
      const it = cron().parse(pattern, { tz: 'UTC', currentDate: new Date(after + shift) });
      return it.next().getTime() - shift;
    }
    const it = cron().parse(pattern, { tz: zone, currentDate: new Date(after) });
    return it.next().getTime();
  } catch {
    return undefined;
  }
}

/** The first `count` occurrences at or after `start` (for previews and tests). */
export function occurrences(start: number, rule: Recurrence | undefined, zone: string, count: number): number[] {
  const out: number[] = [];
  let t: number | undefined = rule?.kind === 'cron' ? nextOccurrence(start, rule, zone, start - 1) : start;
  while (t !== undefined && out.length < count) {
    out.push(t);
    t = rule ? nextOccurrence(start, rule, zone, t) : undefined;
  }
  return out;
}

export const DURATION = { MINUTE, HOUR, DAY } as const;
