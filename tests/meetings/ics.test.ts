import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { DEFAULT_MEETING_DURATION_MS, RDATE_COUNT, foldLine, meetingIcs } from '../../src/scheduling/ics.ts';
import type { Meeting } from '../../src/scheduling/meetings.ts';
import { occurrences, parseWhen, type Recurrence } from '../../src/time.ts';

/** A small RFC 5545 reader: checks CRLF and folding, unfolds, and returns the content lines. */
function parseIcs(text: string): { name: string; params: Record<string, string>; value: string }[] {
  expect(text.endsWith('\r\n')).toBe(true);
  const raw = text.slice(0, -2).split('\r\n');
  for (const l of raw) {
    expect(l.includes('\n') || l.includes('\r')).toBe(false);
    expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
  }
  const lines: string[] = [];
  for (const l of raw) {
    if (l.startsWith(' ') || l.startsWith('\t')) lines[lines.length - 1] += l.slice(1);
    else lines.push(l);
  }
  return lines.map((l) => {
    const colon = l.indexOf(':');
    expect(colon).toBeGreaterThan(0);
    const [name, ...params] = l.slice(0, colon).split(';');
    return {
      name: name!,
      params: Object.fromEntries(params.map((p) => p.split('=') as [string, string])),
      value: l.slice(colon + 1),
    };
  });
}

function unescapeIcs(v: string): string {
  return v.replace(/\\n/g, '\n').replace(/\\([;,\\])/g, '$1');
}

type Line = ReturnType<typeof parseIcs>[number];

/** ±HHMM → minutes east of UTC */
function offsetMinutes(v: string): number {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(v);
  if (!m) throw new Error(`not a UTC offset: ${v}`);
  return (m[1] === '-' ? -1 : 1) * (+m[2]! * 60 + +m[3]!);
}

/** The VEVENT's own lines (a VTIMEZONE's observances carry DTSTARTs of their own). */
function eventLines(lines: Line[]): Line[] {
  const from = lines.findIndex((l) => l.name === 'BEGIN' && l.value === 'VEVENT');
  expect(from).toBeGreaterThan(0);
  return lines.slice(from);
}

/**
 * DTSTART as a calendar reads it: a UTC value, or a local value with a TZID that must be
 * defined by a VTIMEZONE in the same file (here: one fixed-offset observance).
 * Returns the wall clock fields and the offset they are read with.
 */
function readStart(lines: Line[]): { wall: number[]; offset: number } {
  const start = eventLines(lines).find((l) => l.name === 'DTSTART')!;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(start.value)!;
  const wall = m.slice(1, 7).map(Number);
  if (m[7] === 'Z') {
    expect(start.params.TZID).toBeUndefined();
    return { wall, offset: 0 };
  }
  const tzid = start.params.TZID!;
  const at = lines.findIndex((l) => l.name === 'TZID' && l.value === tzid);
  expect(at, `VTIMEZONE for ${tzid}`).toBeGreaterThan(0);
  expect(lines[at - 1]).toMatchObject({ name: 'BEGIN', value: 'VTIMEZONE' });
  const end = lines.findIndex((l, i) => i > at && l.name === 'END' && l.value === 'VTIMEZONE');
  const offsets = lines.slice(at, end).filter((l) => l.name === 'TZOFFSETTO').map((l) => offsetMinutes(l.value));
  expect(offsets).toHaveLength(1);
  return { wall, offset: offsets[0]! };
}

/**
 * Expand DTSTART + RRULE (FREQ=YEARLY/MONTHLY/WEEKLY, no BY parts) as RFC 5545 says: on the
 * DTSTART's own wall clock, skipping dates that do not exist (the 31st of April, 29 February of a
 * common year). Returns UTC instants.
 */
function expandRule(lines: Line[], count: number): number[] {
  const { wall, offset } = readStart(lines);
  const [y, mo, d, h, mi, s] = wall as [number, number, number, number, number, number];
  const freq = /^FREQ=(YEARLY|MONTHLY|WEEKLY)$/.exec(lines.find((l) => l.name === 'RRULE')!.value)![1];
  const out: number[] = [];
  for (let k = 0; out.length < count && k < 1000; k++) {
    let yy = y;
    let mm = mo;
    let dd = d;
    if (freq === 'YEARLY') yy += k;
    else if (freq === 'MONTHLY') {
      yy = y + Math.floor((mo - 1 + k) / 12);
      mm = ((mo - 1 + k) % 12) + 1;
    } else dd += 7 * k;
    const t = Date.UTC(yy, mm - 1, dd, h, mi, s);
    const back = new Date(t);
    if (freq !== 'WEEKLY' && (back.getUTCMonth() !== mm - 1 || back.getUTCDate() !== dd)) continue;
    out.push(t - offset * 60_000);
  }
  return out;
}

function meeting(over: Partial<Meeting> = {}): Meeting {
  const r = parseWhen('2026-12-10 09:30', { zone: 'Asia/Shanghai', now: Date.UTC(2026, 10, 1) });
  if (!r.ok) throw new Error('bad');
  return {
    id: 'M7',
    title: '沪连对口合作联席会议（2026年度；牵头单位：上海市人民政府合作交流办公室、大连市发展和改革委员会）',
    group: '沪连',
    where: '大连, 星海广场; 会议中心',
    zone: 'Asia/Shanghai',
    start: r.value.at,
    occurrence: r.value.at,
    seq: 0,
    every: { kind: 'yearly' },
    remind: ['7d', '1d', '1h', '30m'],
    status: 'scheduled',
    generation: 1,
    createdBy: 'telegram:1',
    createdAt: Date.UTC(2026, 10, 1),
    updatedAt: Date.UTC(2026, 10, 1),
    ...over,
  };
}

const opts = { now: Date.UTC(2026, 10, 23, 9, 0, 0), uidDomain: 'test.xiezuo', alarmText: (l: string) => `还有${l}：` };

describe('meetingIcs', () => {
  it('is a valid VEVENT with the right UTC instant, escaped text, RRULE and one VALARM per reminder', () => {
    const m = meeting();
    const lines = parseIcs(meetingIcs(m, opts));
    const get = (n: string) => lines.filter((l) => l.name === n);
    expect(lines[0]).toMatchObject({ name: 'BEGIN', value: 'VCALENDAR' });
    expect(lines.at(-1)).toMatchObject({ name: 'END', value: 'VCALENDAR' });
    expect(get('VERSION')[0]!.value).toBe('2.0');
    expect(get('BEGIN').map((l) => l.value)).toEqual(['VCALENDAR', 'VTIMEZONE', 'STANDARD', 'VEVENT', 'VALARM', 'VALARM', 'VALARM', 'VALARM']);
    expect(get('UID')[0]!.value).toMatch(/^m7-\d+@test\.xiezuo$/);
    expect(get('DTSTAMP')[0]!.value).toBe('20261123T090000Z');
    // 09:30 in Shanghai, defined by the file's own VTIMEZONE: 01:30 UTC.
    expect(eventLines(lines).find((l) => l.name === 'DTSTART')).toMatchObject({ params: { TZID: 'Asia/Shanghai' }, value: '20261210T093000' });
    expect(get('TZOFFSETTO')[0]!.value).toBe('+0800');
    expect(expandRule(lines, 1)).toEqual([m.occurrence]);
    expect(new Date(m.occurrence).toISOString()).toBe('2026-12-10T01:30:00.000Z');
    expect(get('DURATION')[0]!.value).toBe('PT2H');
    expect(DEFAULT_MEETING_DURATION_MS).toBe(2 * 3600_000);
    expect(unescapeIcs(get('SUMMARY')[0]!.value)).toBe(m.title);
    expect(unescapeIcs(get('LOCATION')[0]!.value)).toBe(m.where);
    expect(get('LOCATION')[0]!.value).toBe('大连\\, 星海广场\\; 会议中心');
    expect(get('RRULE')[0]!.value).toBe('FREQ=YEARLY');
    expect(get('TRIGGER').map((l) => l.value)).toEqual(['-P7D', '-P1D', '-PT1H', '-PT30M']);
    expect(get('ACTION').every((l) => l.value === 'DISPLAY')).toBe(true);
  });

  // 07:30 in Shanghai on the 31st is 23:30 UTC on the 30th: a rule expanded on the UTC clock
  // would give "the 30th, UTC" — May 1st local — where the bot holds the meeting on May 31st.
  it.each([
    { name: 'monthly on the 31st', when: '2026-01-31 07:30', every: { kind: 'monthly' } as Recurrence, utcDay: '2026-01-30T23:30' },
    { name: 'yearly on 29 February', when: '2028-02-29 07:30', every: { kind: 'yearly' } as Recurrence, utcDay: '2028-02-28T23:30' },
    { name: 'monthly on the 30th at +05:30', when: '2026-01-30 03:00 +05:30', every: { kind: 'monthly' } as Recurrence, utcDay: '2026-01-29T21:30' },
  ])('expands its rule to the dates the bot schedules: $name', ({ when, every, utcDay }) => {
    const r = parseWhen(when, { zone: 'Asia/Shanghai', now: Date.UTC(2025, 11, 1) });
    if (!r.ok) throw new Error('bad');
    expect(new Date(r.value.at).toISOString().slice(0, 16)).toBe(utcDay);
    const m = meeting({ zone: r.value.zone, start: r.value.at, occurrence: r.value.at, every });
    const lines = parseIcs(meetingIcs(m, opts));
    expect(lines.some((l) => l.name === 'RDATE')).toBe(false);
    const bot = occurrences(m.start, every, m.zone, 24);
    expect(expandRule(lines, 24).map((t) => new Date(t).toISOString())).toEqual(bot.map((t) => new Date(t).toISOString()));
  });

  it('names a fixed-offset zone so calendars can read it', () => {
    const r = parseWhen('2026-12-10 09:30 +08:00', { zone: 'Asia/Shanghai', now: Date.UTC(2026, 10, 1) });
    if (!r.ok) throw new Error('bad');
    const m = meeting({ zone: r.value.zone, start: r.value.at, occurrence: r.value.at });
    const lines = parseIcs(meetingIcs(m, opts));
    expect(eventLines(lines).find((l) => l.name === 'DTSTART')!.params.TZID).toBe('Etc/GMT-8');
    expect(expandRule(lines, 1)).toEqual([m.occurrence]);
  });

  it('gives a daylight-saving zone its rules: DTSTART with TZID, a VTIMEZONE with STANDARD and DAYLIGHT, an RRULE', () => {
    const r = parseWhen('2026-12-10 09:30', { zone: 'Europe/Berlin', now: Date.UTC(2026, 10, 1) });
    if (!r.ok) throw new Error('bad');
    const m = meeting({ zone: 'Europe/Berlin', start: r.value.at, occurrence: r.value.at, every: { kind: 'monthly' } });
    const lines = parseIcs(meetingIcs(m, opts));
    expect(eventLines(lines).find((l) => l.name === 'DTSTART')).toMatchObject({ params: { TZID: 'Europe/Berlin' }, value: '20261210T093000' });
    expect(lines.filter((l) => l.name === 'BEGIN').map((l) => l.value)).toEqual(expect.arrayContaining(['VTIMEZONE', 'STANDARD', 'DAYLIGHT']));
    expect(lines.filter((l) => l.name === 'RRULE').map((l) => l.value).sort()).toEqual(['FREQ=MONTHLY', 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU']);
    expect(lines.some((l) => l.name === 'RDATE')).toBe(false);
  });

  it('marks a cancelled meeting and bumps SEQUENCE', () => {
    const lines = parseIcs(meetingIcs(meeting({ status: 'cancelled', generation: 3, every: undefined }), opts));
    expect(lines.find((l) => l.name === 'STATUS')!.value).toBe('CANCELLED');
    expect(lines.find((l) => l.name === 'SEQUENCE')!.value).toBe('2');
  });

  it('folds at 75 octets without splitting a character', () => {
    const line = `SUMMARY:${'联席会议'.repeat(30)}`;
    const folded = foldLine(line);
    for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(75);
    expect(folded.split('\r\n').map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
  });
});

/**
 * The files read by a real iCalendar parser (ical.js): its own expansion of RRULE/RDATE with the
 * file's VTIMEZONE must give the instants the bot schedules, across daylight-saving changes.
 */
describe('meetingIcs through ical.js', () => {
  function expandWithIcalJs(text: string, count: number): number[] {
    ICAL.TimezoneService.reset();
    const cal = new ICAL.Component(ICAL.parse(text));
    const zones = cal.getAllSubcomponents('vtimezone');
    expect(zones.length).toBe(1);
    for (const z of zones) ICAL.TimezoneService.register(new ICAL.Timezone(z));
    const ev = new ICAL.Event(cal.getFirstSubcomponent('vevent')!);
    expect(ev.startDate.zone?.tzid).toBe(zones[0]!.getFirstPropertyValue('tzid'));
    const it = ev.iterator();
    const out: number[] = [];
    for (let n = it.next(); n && out.length < count; n = it.next()) out.push(n.toUnixTime() * 1000);
    return out;
  }

  it.each([
    { name: 'weekly in Berlin across both DST changes', when: '2027-03-01 09:30', zone: 'Europe/Berlin', every: { kind: 'weekly' } as Recurrence, rule: 'FREQ=WEEKLY' },
    { name: 'monthly on the 31st in New York', when: '2027-01-31 18:00', zone: 'America/New_York', every: { kind: 'monthly' } as Recurrence, rule: 'FREQ=MONTHLY' },
    { name: 'yearly in Sydney (southern DST)', when: '2027-01-15 10:00', zone: 'Australia/Sydney', every: { kind: 'yearly' } as Recurrence, rule: 'FREQ=YEARLY' },
    { name: 'monthly in Shanghai', when: '2026-12-10 09:30', zone: 'Asia/Shanghai', every: { kind: 'monthly' } as Recurrence, rule: 'FREQ=MONTHLY' },
    { name: 'weekly at +05:30', when: '2026-12-10 09:30 +05:30', zone: 'Asia/Shanghai', every: { kind: 'weekly' } as Recurrence, rule: 'FREQ=WEEKLY' },
    { name: 'cron on Mondays and Wednesdays in Berlin', when: '2027-03-01 09:30', zone: 'Europe/Berlin', every: { kind: 'cron', pattern: '30 9 * * 1,3' } as Recurrence, rule: 'FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=30' },
    { name: 'cron on the 15th of each month in London', when: '2027-01-01 00:00', zone: 'Europe/London', every: { kind: 'cron', pattern: '0 10 15 * *' } as Recurrence, rule: 'FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=10;BYMINUTE=0' },
    { name: 'cron on weekdays in Shanghai', when: '2027-01-01 00:00', zone: 'Asia/Shanghai', every: { kind: 'cron', pattern: '0 9 * * MON-FRI' } as Recurrence, rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0' },
    { name: 'a cron step RRULE cannot say (every 20 minutes) as RDATEs in Berlin, across the DST change', when: '2027-03-26 00:00', zone: 'Europe/Berlin', every: { kind: 'cron', pattern: '*/20 9-11 * * *' } as Recurrence, rule: undefined },
  ])('$name', ({ when, zone, every, rule }) => {
    const r = parseWhen(when, { zone, now: Date.UTC(2026, 10, 1) });
    if (!r.ok) throw new Error(`bad ${when}`);
    const m = meeting({ zone: r.value.zone, start: r.value.at, occurrence: r.value.at, every });
    const text = meetingIcs(m, opts);
    const lines = parseIcs(text);
    const rules = eventLines(lines).filter((l) => l.name === 'RRULE').map((l) => l.value);
    expect(rules).toEqual(rule ? [rule] : []);
    expect(eventLines(lines).find((l) => l.name === 'DTSTART')!.params.TZID).toBeDefined();
    const count = rule ? 30 : RDATE_COUNT;
    const bot = occurrences(m.start, every, m.zone, count);
    expect(expandWithIcalJs(text, count).map((t) => new Date(t).toISOString())).toEqual(bot.map((t) => new Date(t).toISOString()));
  });
});
