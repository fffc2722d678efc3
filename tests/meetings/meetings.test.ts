/**
 * Meetings end to end in one process (the timing tests run concurrently, each on its own meeting): /meeting typed as a coordinator, reminders fired by the
 * BullMQ reminders worker, fanned out through the Outbox and the delivery workers to recording
 * Senders; RSVP buttons pressed through the router.
 */
import { keyspace } from '../../src/store/keys.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Destination } from '../../src/messages.ts';
import { ahead, COORDINATOR, expectRefused, type Harness, idOf, makeGroup, OFFICIAL, shanghai, sleep, startHarness, text, until } from './harness.ts';

const GROUP: Destination[] = [
  { platform: 'telegram', chatId: '-1001' },
  { platform: 'telegram', chatId: '-1002' },
  { platform: 'slack', chatId: 'C0MEET' },
];

let h: Harness;

beforeAll(async () => {
  // Seconds-apart recurrences are allowed here so a series can be watched moving on.
  h = await startHarness({ env: { MEETING_MIN_INTERVAL_S: '1' } });
  await makeGroup(h, '沪连', GROUP);
});

afterAll(async () => {
  await h?.close();
});

function remindersOf(id: string) {
  return h.received().filter((r) => r.reply.footer === id && r.reply.title?.startsWith('会议提醒'));
}

describe('/meeting reminders', () => {
  it.concurrent('fires each reminder once, on time, to every destination of the group', async ({ expect }) => {
    const start = ahead(4500);
    const reply = await h.say(`/meeting add "沪连对口合作联席会议" ${shanghai(start)} 沪连 --remind 3s,1s --where 大连`);
    expect(reply.tone, text(reply)).toBe('notice');
    const id = idOf(reply);
    expect(text(reply)).toContain('大连');

    await until(() => remindersOf(id).length >= 6, 8000, 'six reminders');
    await sleep(800);
    const got = remindersOf(id);
    expect(got).toHaveLength(6);
    for (const dest of GROUP) {
      const mine = got.filter((r) => r.to.platform === dest.platform && r.to.chatId === dest.chatId);
      expect(mine.map((r) => r.reply.blocks[0]!.text)).toEqual(['距会议开始还有3秒。', '距会议开始还有1秒。']);
    }
    const lateness = got.map((r) => {
      const offset = r.reply.blocks[0]!.text.includes('3秒') ? 3000 : 1000;
      return r.at - (start - offset);
    });
    console.log('meeting reminder lateness (ms):', lateness.join(', '));
    for (const l of lateness) {
      expect(l).toBeGreaterThanOrEqual(-50);
      expect(l).toBeLessThan(2000);
    }
    const r = got[0]!.reply;
    expect(r.title).toBe('会议提醒：沪连对口合作联席会议');
    expect(text(r)).toContain('大连');
    expect(text(r)).toContain('沪连');
    expect(text(r)).toContain('北京时间');
    expect(r.buttons?.[0]?.map((b) => [b.label, b.action, b.value])).toEqual([
      ['参加', 'meeting.yes', id],
      ['不参加', 'meeting.no', id],
      ['委派他人', 'meeting.delegate', id],
    ]);
  });

  it.concurrent('a reminder job run twice (a retry, a duplicate) still sends once per chat', async ({ expect }) => {
    const id = idOf(await h.say(`/meeting add "重复任务" 2027-04-01 09:00 沪连 --remind 1d`));
    const m = (await h.app.services.meetings.get(id))!;
    const job = { kind: 'meeting' as const, meetingId: id, generation: m.generation, occurrence: m.occurrence, offset: '1d' };
    expect(await h.app.services.meetings.fireReminder(job)).toBe('sent');
    expect(await h.app.services.meetings.fireReminder(job)).toBe('sent');
    await until(() => remindersOf(id).length >= 3, 5000, 'reminders');
    await sleep(700);
    expect(await h.app.services.meetings.fireReminder(job)).toBe('sent');
    await sleep(700);
    expect(remindersOf(id)).toHaveLength(3);
  });

  it('RSVP buttons and /meeting rsvp update the tally that /meeting show reports', async () => {
    const reply = await h.say(`/meeting add "辽苏高层会商" 2027-03-10 10:00 沪连 --remind 1d`);
    const id = idOf(reply);
    const yes = await h.press('meeting.yes', id, OFFICIAL);
    expect(yes.toast).toContain('已记录：参加');
    const other = { platform: 'slack' as const, id: 'U77', name: '赵处长' };
    expect((await h.press('meeting.no', id, other)).toast).toContain('不参加');
    expect((await h.press('meeting.delegate', id, { platform: 'telegram', id: '3003', name: '钱科长' })).toast).toContain(
      `/meeting rsvp ${id} 委派`,
    );
    const named = await h.say(`/meeting rsvp ${id} 委派 孙主任`, { platform: 'telegram', id: '3003', name: '钱科长' });
    expect(text(named)).toContain('孙主任');
    // A changed mind replaces the earlier answer.
    await h.press('meeting.no', id, other);
    await h.press('meeting.yes', id, other);

    const show = await h.say(`/meeting show ${id}`, OFFICIAL);
    const t = text(show);
    expect(t).toContain('参加 2｜不参加 0｜委派他人 1');
    expect(t).toContain('钱科长 → 孙主任');
    expect(t).toContain('李干部');
    expect((await h.press('meeting.yes', 'M999', OFFICIAL)).toast).toContain('没有编号为“M999”');
  });

  it.concurrent('moving re-times the reminders and tells the group; the old time stays silent', async ({ expect }) => {
    const start = ahead(3500);
    const id = idOf(await h.say(`/meeting add "对接会议" ${shanghai(start)} 沪连 --remind 2s`));
    const moved = ahead(7000);
    const reply = await h.say(`/meeting move ${id} ${shanghai(moved)}`);
    expect(reply.tone, text(reply)).toBe('notice');
    await until(() => h.received().filter((r) => r.reply.footer === id && r.reply.title?.startsWith('会议改期')).length === 3, 5000, 'move notices');

    await sleep(start - Date.now() + 500);
    expect(remindersOf(id)).toHaveLength(0);
    await until(() => remindersOf(id).length >= 3, 8000, 'moved reminders');
    await sleep(500);
    const got = remindersOf(id);
    expect(got).toHaveLength(3);
    for (const r of got) expect(r.at).toBeGreaterThanOrEqual(moved - 2000 - 50);
    // A job made for the old generation cannot fire any more.
    const m = (await h.app.services.meetings.get(id))!;
    expect(m.generation).toBe(2);
    expect(
      await h.app.services.meetings.fireReminder({ kind: 'meeting', meetingId: id, generation: 1, occurrence: start, offset: '2s' }),
    ).toBe('stale');
  });

  it.concurrent('cancelling silences the reminders and tells the group', async ({ expect }) => {
    const start = ahead(3000);
    const id = idOf(await h.say(`/meeting add "取消的会议" ${shanghai(start)} 沪连 --remind 2s,1s`));
    const reply = await h.say(`/meeting cancel ${id}`);
    expect(text(reply)).toContain('已取消');
    await sleep(start - Date.now() + 500);
    expect(remindersOf(id)).toHaveLength(0);
    const notices = h.received().filter((r) => r.reply.footer === id && r.reply.title === '会议取消：取消的会议');
    expect(notices).toHaveLength(3);
    const again = await h.say(`/meeting cancel ${id}`);
    expect(again.tone).toBe('error');
    expect((await h.press('meeting.yes', id)).toast).toContain('已经取消');
    const list = await h.say('/meeting list');
    expect(text(list)).not.toContain(`${id}｜`);
  });

  it.concurrent('a recurring meeting schedules the next occurrence when one starts', async ({ expect }) => {
    // Every 2 seconds (6-field cron), reminded 1 s before each occurrence.
    const reply = await h.say(`/meeting add "滚动例会" ${shanghai(ahead(1500))} 沪连 --remind 1s --every "*/2 * * * * *"`);
    expect(reply.tone, text(reply)).toBe('notice');
    const id = idOf(reply);
    await until(() => remindersOf(id).length >= 9, 12_000, 'three occurrences');
    await h.say(`/meeting cancel ${id}`);
    const telegramOne = remindersOf(id).filter((r) => r.to.chatId === '-1001');
    const gaps = telegramOne.slice(1).map((r, i) => r.at - telegramOne[i]!.at);
    for (const g of gaps.slice(0, 2)) {
      // Two seconds apart, give or take scheduling jitter on a busy machine.
      expect(g).toBeGreaterThan(500);
      expect(g).toBeLessThan(3500);
    }
    const m = (await h.app.services.meetings.get(id))!;
    expect(m.seq).toBeGreaterThanOrEqual(2);
  });
});

describe('/meeting input errors', () => {
  it('a past date, a malformed time or an unknown group gets a Chinese error with usage, and nothing is stored', async () => {
    const prefix = h.env.REDIS_PREFIX!;
    const redis = h.app.services.redis;
    const before = await redis.keys(keyspace(prefix, 'meetings')('*'));
    const beforeList = (await h.app.services.meetings.list({ all: true })).length;
    const cases: [string, string][] = [
      ['/meeting add "联席会议" 2020-01-01 09:00 沪连', '已经过去'],
      ['/meeting add "联席会议" 2027-13-45 09:00 沪连', '无法识别'],
      ['/meeting add "联席会议" 明天上午 沪连', '无法识别'],
      ['/meeting add "联席会议" 2027-02-30 09:00 沪连', '没有这一天'],
      ['/meeting add "联席会议" 2027-03-01 09:00 不存在的组', '没有名为“不存在的组”的频道组'],
      ['/meeting add "联席会议" 2027-03-01 09:00', '请在时间后写上频道组'],
      ['/meeting add "联席会议" 2027-03-01 09:00 沪连 --remind 7x', '提醒时间“7x”无法识别'],
      ['/meeting add "联席会议" 2027-03-01 09:00 沪连 --every fortnightly', '重复规则'],
      ['/meeting add "联席会议" 2027-03-01 09:00 沪连 --tz Mars/Base', '时区'],
      ['/meeting move M999 2027-03-01 09:00', '没有编号为“M999”'],
      ['/meeting frobnicate', '不认识的子命令'],
    ];
    await expectRefused(h, cases, /^用法：\/meeting/);
    const refused = await h.say('/meeting add "联席会议" 2027-03-01 09:00 沪连', OFFICIAL);
    expect(refused.tone).toBe('error');
    expect(refused.blocks[0]!.text).toContain('协调员');
    expect((await redis.keys(keyspace(prefix, 'meetings')('*'))).sort()).toEqual(before.sort());
    expect((await h.app.services.meetings.list({ all: true })).length).toBe(beforeList);
  });

  it('accepts another zone and shows both', async () => {
    const r = await h.say('/meeting add "柏林推介会" 2027-07-01 09:30 沪连 --tz Europe/Berlin --remind 1d');
    expect(r.tone, text(r)).toBe('notice');
    const m = (await h.app.services.meetings.get(idOf(r)))!;
    expect(new Date(m.occurrence).toISOString()).toBe('2027-07-01T07:30:00.000Z');
    expect(text(r)).toContain('Europe/Berlin');
    expect(text(r)).toContain('2027年7月1日（周四）09:30 Europe/Berlin（北京时间 15:30）');
  });
});

describe('/meeting ics and templates', () => {
  it('exports an iCalendar file with the UTC instant', async () => {
    const id = idOf(await h.say('/meeting add "沪连对口合作联席会议" 2027-12-10 09:30 沪连 --remind 7d,1d,1h --where 大连 --every yearly'));
    const r = await h.say(`/meeting ics ${id}`, OFFICIAL);
    expect(r.file?.mime).toBe('text/calendar');
    expect(r.file?.name).toBe(`${id}.ics`);
    const content = r.file!.content;
    // 09:30 on Shanghai's clock (01:30 UTC), with the zone defined in the file.
    expect(content).toContain('\r\nDTSTART;TZID=Asia/Shanghai:20271210T093000\r\n');
    expect(content).toContain('\r\nTZOFFSETTO:+0800\r\n');
    expect(content).toContain('\r\nRRULE:FREQ=YEARLY\r\n');
    expect(content.match(/BEGIN:VALARM/g)).toHaveLength(3);
    const audit = await h.app.services.audit.latest(50, 'meeting.add');
    expect(audit.some((e) => e.detail.startsWith(`${id} 沪连对口合作联席会议`) && e.user === 'telegram:1001')).toBe(true);
  });

  it('lists the standing meeting systems and instantiates one', async () => {
    const list = await h.say('/meeting templates', OFFICIAL);
    expect(text(list)).toContain('sh-dl-lead-joint');
    const r = await h.say('/meeting add --template sh-dl-lead-joint 2027-06-15 09:30');
    expect(r.tone, text(r)).toBe('notice');
    const m = (await h.app.services.meetings.get(idOf(r)))!;
    expect(m.group).toBe('沪连');
    expect(m.every).toEqual({ kind: 'yearly' });
    expect(m.remind).toEqual(['7d', '1d', '1h']);
    expect(text(r)).toContain('每年牽頭召集雙方成員單位召開聯席會議');
  });
});

describe('office deadlines', () => {
  it.concurrent('reminds the group before the due time, once, and not after done', async ({ expect }) => {
    const svc = h.app.services.officeDeadlines;
    const due = ahead(3000);
    const { deadline } = await svc.add({
      text: '报送年度对口合作计划',
      at: due,
      hasTime: true,
      zone: 'Asia/Shanghai',
      group: '沪连',
      owner: '市合作交流办',
      remind: ['2s'],
      createdBy: `${COORDINATOR.platform}:${COORDINATOR.id}`,
    });
    const second = await svc.add({
      text: '已完成的事项',
      at: due,
      hasTime: true,
      zone: 'Asia/Shanghai',
      group: '沪连',
      remind: ['2s'],
      createdBy: 'telegram:1001',
    });
    await svc.done(second.deadline.id, 'telegram:1001');
    const of = (id: string) => h.received().filter((r) => r.reply.footer === id);
    await until(() => of(deadline.id).length >= 3, 6000, 'deadline reminders');
    await sleep(500);
    expect(of(deadline.id)).toHaveLength(3);
    expect(of(deadline.id)[0]!.reply.title).toBe('期限提醒：报送年度对口合作计划');
    expect(of(second.deadline.id)).toHaveLength(0);
  });
});
