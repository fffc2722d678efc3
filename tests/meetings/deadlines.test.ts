/**
 * /deadline add|done for the offices' own deadlines, their reminders, and /deadline answers that
 * show them beside the documents' deadlines.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { accepted, expectRefused, idOf, OFFICIAL, text, useHarness } from './harness.ts';

// 2026-11-23 17:00 Beijing: a fixed "now" so dates and overdue states are stable.
const clock = new ManualClock(Date.UTC(2026, 10, 23, 9, 0));
const h = useHarness({ clock, workers: false, groups: { 沪连: [{ platform: 'telegram', chatId: '-3001' }] } });

describe('/deadline add and done', () => {
  it('stores a deadline with owner and group, schedules 7d and 1d reminders, and lists it', async () => {
    const { reply: r, id } = await accepted(h, '/deadline add "报送2027年度对口合作计划" 2026-12-31 沪连 --owner 市科技局');
    const d = (await h.app.services.officeDeadlines.get(id))!;
    expect(d.dueDate).toBe('2026-12-31');
    expect(new Date(d.dueAt).toISOString()).toBe('2026-12-31T01:00:00.000Z'); // 09:00 Beijing
    expect(d.remind).toEqual(['7d', '1d']);
    expect(d.owner).toBe('市科技局');
    expect(text(r)).toContain('提前7天、提前1天');

    const byOwner = await h.say('/deadline 市科技局', OFFICIAL);
    expect(text(byOwner)).toContain('报送2027年度对口合作计划');
    expect(text(byOwner)).toContain('本单位事项');

    const done = await h.say(`/deadline done ${id.toLowerCase()}`);
    expect(text(done)).toContain('已标记完成');
    expect((await h.app.services.officeDeadlines.get(id))!.status).toBe('done');
    const after = await h.say('/deadline 市科技局', OFFICIAL);
    expect(text(after)).not.toContain('报送2027年度对口合作计划');
  });

  it('shows overdue office deadlines with the overdue filter', async () => {
    const r = await h.say('/deadline add 提交对口合作成效评估 2026-11-30 --owner 市发展改革委');
    const id = idOf(r);
    clock.set(Date.UTC(2026, 11, 2));
    try {
      const overdue = await h.say('/deadline --overdue', OFFICIAL);
      expect(text(overdue)).toContain(`${id}｜提交对口合作成效评估`);
      expect(text(overdue)).toContain('已逾期');
    } finally {
      clock.set(Date.UTC(2026, 10, 23, 9, 0));
    }
  });

  it('bad input gets a Chinese error with usage and stores nothing', async () => {
    const before = (await h.app.services.officeDeadlines.list({ includeDone: true })).length;
    const cases: [string, string][] = [
      ['/deadline add 报送材料 2020-01-01', '已经过去'],
      ['/deadline add 报送材料 2026-02-30', '没有这一天'],
      ['/deadline add 报送材料 下周 沪连', '无法识别'],
      ['/deadline add 报送材料 2026-12-31 不存在的组', '没有名为“不存在的组”的频道组'],
      ['/deadline add 报送材料', '请给出截止日期'],
      ['/deadline done D999', '没有编号为“D999”'],
    ];
    await expectRefused(h, cases, /^用法：\/deadline/);
    const refused = await h.say('/deadline add 报送材料 2026-12-31', OFFICIAL);
    expect(refused.blocks[0]!.text).toContain('协调员');
    expect((await h.app.services.officeDeadlines.list({ includeDone: true })).length).toBe(before);
  });
});
