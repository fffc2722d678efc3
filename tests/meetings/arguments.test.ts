/**
 * Arguments of /meeting and /deadline that used to be misread silently: a misspelt or bare
 * flag (the item was stored without it), and `/deadline add` reading a time as a group.
 */
import { describe, expect, it } from 'vitest';
import { flagProblem, parseArgs } from '../../src/args.ts';
import { ManualClock } from '../../src/clock.ts';
import { accepted, expectRefused, idOf, text, useHarness } from './harness.ts';

// 2026-11-23 17:00 Beijing.
const clock = new ManualClock(Date.UTC(2026, 10, 23, 9, 0));
const h = useHarness({ clock, workers: false, groups: { 沪连: [{ platform: 'telegram', chatId: '-3101' }] } });

describe('flagProblem', () => {
  const spec = { values: ['remind', 'every', 'where'], booleans: ['all'] };
  it('names an unknown flag (with the nearest known one) and a value flag without a value', () => {
    expect(flagProblem(parseArgs('x --remidn 1h'), spec)).toEqual({ kind: 'unknown', flag: 'remidn', known: ['remind', 'every', 'where', 'all'], suggestion: 'remind' });
    expect(flagProblem(parseArgs('x --colour red'), spec)).toMatchObject({ kind: 'unknown', flag: 'colour' });
    expect(flagProblem(parseArgs('x --colour red'), spec)).not.toHaveProperty('suggestion');
    expect(flagProblem(parseArgs('x --every'), spec)).toEqual({ kind: 'noValue', flag: 'every' });
    expect(flagProblem(parseArgs('x --every --where 大连'), spec)).toEqual({ kind: 'noValue', flag: 'every' });
    expect(flagProblem(parseArgs('x --where='), spec)).toEqual({ kind: 'noValue', flag: 'where' });
    expect(flagProblem(parseArgs('x --all --every weekly', ['all']), spec)).toBeUndefined();
  });
});

describe('/meeting add flags', () => {
  it('a bare value flag or a misspelt flag is refused with the usage line, and nothing is stored', async () => {
    const cases: [string, string][] = [
      ['/meeting add "沪连会" 2026-12-10 09:30 沪连 --every', '选项 --every 后面缺少取值'],
      ['/meeting add "沪连会" 2026-12-10 09:30 沪连 --remidn 1h', '不认识的选项 --remidn，是不是 --remind？'],
      ['/meeting add "沪连会" 2026-12-10 09:30 沪连 --where', '选项 --where 后面缺少取值'],
      ['/meeting add "沪连会" 2026-12-10 09:30 沪连 --all', '不认识的选项 --all'],
    ];
    await expectRefused(h, cases, /^用法：\/meeting add/);
    expect(await h.app.services.meetings.list({ all: true })).toEqual([]);
    const move = await h.say('/meeting move M1 2026-12-11 09:30 --tzz Europe/Berlin');
    expect(move.blocks[0]!.text).toContain('不认识的选项 --tzz，是不是 --tz？');
    expect(move.footer).toMatch(/^用法：\/meeting move/);
  });

  it('spelt right, the same flags are taken', async () => {
    const r = await h.say('/meeting add "沪连会" 2026-12-10 09:30 沪连 --remind 1h --every weekly --where 大连');
    expect(r.tone, text(r)).toBe('notice');
    const m = (await h.app.services.meetings.list())[0]!;
    expect([m.remind, m.every, m.where]).toEqual([['1h'], { kind: 'weekly' }, '大连']);
  });
});

describe('/deadline add date, time and group', () => {
  it('reads `2026-12-31 17:00` as the due time, not as a group called 17:00', async () => {
    const { reply: r, id } = await accepted(h, '/deadline add 报送 2026-12-31 17:00');
    const d = (await h.app.services.officeDeadlines.get(id))!;
    expect(new Date(d.dueAt).toISOString()).toBe('2026-12-31T09:00:00.000Z'); // 17:00 Beijing
    expect(d.group).toBeUndefined();
    expect(text(r)).toContain('2026年12月31日（周四）17:00');

    const withGroup = await h.say('/deadline add 报送 2026-12-31 17:00 沪连');
    const g = (await h.app.services.officeDeadlines.get(idOf(withGroup)))!;
    expect([new Date(g.dueAt).toISOString(), g.group]).toEqual(['2026-12-31T09:00:00.000Z', '沪连']);
    const dateOnly = await h.say('/deadline add 报送 2026-12-31 沪连');
    const o = (await h.app.services.officeDeadlines.get(idOf(dateOnly)))!;
    expect([o.dueDate, o.group]).toEqual(['2026-12-31', '沪连']);
    expect(text(dateOnly)).toContain('2026年12月31日（周四）｜');
  });

  it('a day that does not exist says so, with or without a group; bad flags store nothing', async () => {
    const before = (await h.app.services.officeDeadlines.list({ includeDone: true })).length;
    const cases: [string, string][] = [
      ['/deadline add 报送 2026-13-31', '没有这一天'],
      ['/deadline add 报送 2026-13-31 沪连', '时间“2026-13-31”无法识别：没有这一天'],
      ['/deadline add 报送 2026-13-31 17:00', '没有这一天'],
      ['/deadline add 报送 2026-12-31 25:00', '时刻超出范围'],
      ['/deadline add 报送 2026-12-31 沪连 --owner', '选项 --owner 后面缺少取值'],
      ['/deadline add 报送 2026-12-31 沪连 --remidn 1d', '不认识的选项 --remidn，是不是 --remind？'],
    ];
    await expectRefused(h, cases, /^用法：\/deadline add/);
    expect((await h.app.services.officeDeadlines.list({ includeDone: true })).length).toBe(before);
  });
});
