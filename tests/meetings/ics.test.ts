import { describe, expect, it } from 'vitest';
import { foldLine, meetingIcs } from '../../src/ics.ts';
import type { Meeting } from '../../src/meetings.ts';
import { parseWhen } from '../../src/time.ts';

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

function unescape(v: string): string {
  return v.replace(/\\n/g, '\n').replace(/\\([;,\\])/g, '$1');
}

/** 20261210T013000Z → ms */
function utc(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) throw new Error(`not a UTC date-time: ${v}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
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
    expect(get('BEGIN').map((l) => l.value)).toEqual(['VCALENDAR', 'VEVENT', 'VALARM', 'VALARM', 'VALARM', 'VALARM']);
    expect(get('UID')[0]!.value).toMatch(/^m7-\d+@test\.xiezuo$/);
    expect(get('DTSTAMP')[0]!.value).toBe('20261123T090000Z');
    expect(get('DTSTART')[0]!.value).toBe('20261210T013000Z');
    expect(utc(get('DTSTART')[0]!.value)).toBe(m.occurrence);
    expect(unescape(get('SUMMARY')[0]!.value)).toBe(m.title);
    expect(unescape(get('LOCATION')[0]!.value)).toBe(m.where);
    expect(get('LOCATION')[0]!.value).toBe('大连\\, 星海广场\\; 会议中心');
    expect(get('RRULE')[0]!.value).toBe('FREQ=YEARLY');
    expect(get('TRIGGER').map((l) => l.value)).toEqual(['-P7D', '-P1D', '-PT1H', '-PT30M']);
    expect(get('ACTION').every((l) => l.value === 'DISPLAY')).toBe(true);
  });

  it('lists RDATEs when the zone has daylight saving, each the right instant', () => {
    const r = parseWhen('2026-12-10 09:30', { zone: 'Europe/Berlin', now: Date.UTC(2026, 10, 1) });
    if (!r.ok) throw new Error('bad');
    const m = meeting({ zone: 'Europe/Berlin', start: r.value.at, occurrence: r.value.at, every: { kind: 'monthly' } });
    const lines = parseIcs(meetingIcs(m, opts));
    expect(lines.some((l) => l.name === 'RRULE')).toBe(false);
    const rdate = lines.find((l) => l.name === 'RDATE')!;
    const dates = rdate.value.split(',').map(utc);
    expect(new Date(dates[0]!).toISOString()).toBe('2027-01-10T08:30:00.000Z');
    // April: summer time, 09:30 local is 07:30 UTC.
    expect(new Date(dates[3]!).toISOString()).toBe('2027-04-10T07:30:00.000Z');
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
