import { describe, expect, it } from 'vitest';
import {
  nextOccurrence,
  normaliseZone,
  occurrences,
  parseOffsets,
  parseRecurrence,
  parseWhen,
  parseWhenAndGroup,
  wallTime,
  zonedToInstant,
} from '../../src/time.ts';

const NOW = Date.UTC(2026, 10, 23, 9, 0); // 2026-11-23 17:00 Asia/Shanghai
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

function at(text: string, zone = 'Asia/Shanghai', now = NOW) {
  const r = parseWhen(text, { zone, now });
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.value;
}

describe('parseWhen', () => {
  it('reads the forms officials type, in Asia/Shanghai by default', () => {
    for (const s of [
      '2026-12-10 09:30',
      '2026/12/10 9:30',
      '2026.12.10 09:30',
      '2026-12-10T09:30',
      '2026年12月10日 9:30',
      '2026年12月10日上午9点30分',
      '２０２６－１２－１０　０９：３０',
      '12月10日 9:30',
    ]) {
      expect(iso(at(s).at), s).toBe('2026-12-10T01:30:00.000Z');
    }
    expect(iso(at('2026年12月10日下午3点半').at)).toBe('2026-12-10T07:30:00.000Z');
  });

  it('takes a trailing zone or a --tz default', () => {
    expect(iso(at('2026-12-10 09:30 +01:00').at)).toBe('2026-12-10T08:30:00.000Z');
    expect(at('2026-12-10 09:30 +01:00').zone).toBe('+01:00');
    expect(iso(at('2026-12-10 09:30 Europe/Berlin').at)).toBe('2026-12-10T08:30:00.000Z');
    expect(iso(at('2026-12-10 09:30', 'Europe/Berlin').at)).toBe('2026-12-10T08:30:00.000Z');
    expect(iso(at('2026-07-10 09:30', 'Europe/Berlin').at)).toBe('2026-07-10T07:30:00.000Z');
    expect(iso(at('2026-12-10 09:30Z').at)).toBe('2026-12-10T09:30:00.000Z');
    expect(iso(at('2026-12-10 09:30 UTC+8').at)).toBe('2026-12-10T01:30:00.000Z');
  });

  it('a date without a year is the next time it comes round', () => {
    expect(iso(at('3月1日 9:00').at)).toBe('2027-03-01T01:00:00.000Z');
    expect(iso(at('12月10日 9:00').at)).toBe('2026-12-10T01:00:00.000Z');
  });

  it('names what is wrong', () => {
    const err = (s: string) => {
      const r = parseWhen(s, { zone: 'Asia/Shanghai', now: NOW });
      return r.ok ? 'ok' : r.error;
    };
    expect(err('明天上午')).toBe('malformed');
    expect(err('2026-12-10')).toBe('malformed');
    expect(err('2026-02-30 09:00')).toBe('badDate');
    expect(err('2026-12-10 25:00')).toBe('badTime');
    expect(err('2026-12-10 09:61')).toBe('badTime');
    expect(err('2026-12-10 09:30 Mars/Base')).toBe('badZone');
    const d = parseWhen('2026-12-10', { zone: 'Asia/Shanghai', now: NOW, dateOnly: true });
    expect(d.ok && d.value.hasTime).toBe(false);
    expect(d.ok && iso(d.value.at)).toBe('2026-12-09T16:00:00.000Z');
  });
});

describe('zones', () => {
  it('normalises names and offsets', () => {
    expect(normaliseZone('+8')).toBe('+08:00');
    expect(normaliseZone('UTC-05:30')).toBe('-05:30');
    expect(normaliseZone('europe/berlin')).toBe('Europe/Berlin');
    expect(normaliseZone('Nowhere/City')).toBeUndefined();
  });

  it('handles DST gaps and folds', () => {
    // 02:30 does not exist in Berlin on 2026-03-29: moved forward to 03:30 CEST.
    expect(iso(zonedToInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // 02:30 happens twice on 2026-10-25: the first (CEST) is taken.
    expect(iso(zonedToInstant({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    const w = wallTime(Date.UTC(2026, 11, 31, 16, 30), 'Asia/Shanghai');
    expect([w.year, w.month, w.day, w.hour, w.minute, w.weekday]).toEqual([2027, 1, 1, 0, 30, 5]);
  });
});

describe('offsets', () => {
  it('parses and orders them', () => {
    const r = parseOffsets('1h,7d, 30m，1d');
    expect(r.ok && r.value.map((o) => o.label)).toEqual(['7d', '1d', '1h', '30m']);
    expect(parseOffsets('2天,3小时').ok).toBe(true);
    expect(parseOffsets('7x')).toEqual({ ok: false, bad: '7x' });
    expect(parseOffsets('0m').ok).toBe(false);
  });
});

describe('recurrence', () => {
  it('yearly across a year boundary in New York keeps 23:30 local', () => {
    const start = at('2026-12-31 23:30', 'America/New_York').at;
    expect(occurrences(start, { kind: 'yearly' }, 'America/New_York', 3).map(iso)).toEqual([
      '2027-01-01T04:30:00.000Z',
      '2028-01-01T04:30:00.000Z',
      '2029-01-01T04:30:00.000Z',
    ]);
  });

  it('monthly in Berlin follows the wall clock through DST and the new year', () => {
    const start = at('2026-12-20 09:00', 'Europe/Berlin').at;
    const occ = occurrences(start, { kind: 'monthly' }, 'Europe/Berlin', 5);
    expect(occ.map(iso)).toEqual([
      '2026-12-20T08:00:00.000Z',
      '2027-01-20T08:00:00.000Z',
      '2027-02-20T08:00:00.000Z',
      '2027-03-20T08:00:00.000Z',
      '2027-04-20T07:00:00.000Z',
    ]);
    for (const t of occ) expect(wallTime(t, 'Europe/Berlin').hour).toBe(9);
  });

  it('weekly across the year boundary in Asia/Shanghai', () => {
    const start = at('2026-12-24 09:30').at;
    expect(occurrences(start, { kind: 'weekly' }, 'Asia/Shanghai', 3).map(iso)).toEqual([
      '2026-12-24T01:30:00.000Z',
      '2026-12-31T01:30:00.000Z',
      '2027-01-07T01:30:00.000Z',
    ]);
  });

  it('monthly on the 31st skips short months, like RRULE', () => {
    const start = at('2027-01-31 09:00').at;
    expect(occurrences(start, { kind: 'monthly' }, 'Asia/Shanghai', 3).map((t) => wallTime(t, 'Asia/Shanghai').month)).toEqual([1, 3, 5]);
  });

  it('cron patterns run in the meeting zone', () => {
    const rule = parseRecurrence('0 9 * * 1');
    expect(rule).toEqual({ kind: 'cron', pattern: '0 9 * * 1' });
    const start = at('2026-12-25 10:00', 'Europe/Berlin').at;
    expect(occurrences(start, rule!, 'Europe/Berlin', 2).map(iso)).toEqual(['2026-12-28T08:00:00.000Z', '2027-01-04T08:00:00.000Z']);
    expect(occurrences(start, rule!, '+08:00', 1).map(iso)).toEqual(['2026-12-28T01:00:00.000Z']);
    expect(parseRecurrence('every tuesday')).toBeUndefined();
    expect(parseRecurrence('每年')).toEqual({ kind: 'yearly' });
  });

  it('nextOccurrence is strictly after', () => {
    const start = at('2026-12-10 09:30').at;
    expect(nextOccurrence(start, { kind: 'yearly' }, 'Asia/Shanghai', start)).toBe(at('2027-12-10 09:30').at);
    expect(nextOccurrence(start, { kind: 'yearly' }, 'Asia/Shanghai', start - 1)).toBe(start);
  });
});

describe('parseWhenAndGroup', () => {
  const opts = { zone: 'Asia/Shanghai', now: NOW };
  it('prefer time: date and time first, then the last word as the group', () => {
    const t = { ...opts, dateOnly: true, prefer: 'time' as const };
    const a = parseWhenAndGroup(['2026-12-31', '17:00'], t);
    expect(a.ok && [iso(a.value.at), a.group]).toEqual(['2026-12-31T09:00:00.000Z', undefined]);
    const b = parseWhenAndGroup(['2026-12-31', '沪连'], t);
    expect(b.ok && [b.value.hasTime, b.group]).toEqual([false, '沪连']);
    expect(parseWhenAndGroup(['2026-13-31', '沪连'], t)).toEqual({ ok: false, error: 'badDate', text: '2026-13-31' });
    expect(parseWhenAndGroup(['2026-12-31', '25:00'], t)).toEqual({ ok: false, error: 'badTime', text: '2026-12-31 25:00' });
    expect(parseWhenAndGroup(['下周', '沪连'], t)).toEqual({ ok: false, error: 'malformed', text: '下周' });
  });
  it('prefer group: the last word is the group whenever the rest is a time', () => {
    const g = { ...opts, prefer: 'group' as const };
    const a = parseWhenAndGroup(['2026-12-10', '09:30', '沪连'], g);
    expect(a.ok && [iso(a.value.at), a.group]).toEqual(['2026-12-10T01:30:00.000Z', '沪连']);
    const b = parseWhenAndGroup(['2026-12-10', '09:30'], g);
    expect(b.ok && b.group).toBeUndefined();
    expect(parseWhenAndGroup(['2026-02-30', '09:00', '沪连'], g)).toEqual({ ok: false, error: 'badDate', text: '2026-02-30 09:00' });
  });
});
