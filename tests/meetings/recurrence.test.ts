/**
 * A recurring meeting moving on across a year boundary, in a zone other than Asia/Shanghai, with
 * the clock moved instead of waited for: the advance job re-times the series on the meeting's
 * own wall clock and schedules the next occurrence's reminders; a stale advance does nothing.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMINDERS_QUEUE, bullPrefix } from '../../jobs/queues.ts';
import { ManualClock } from '../../src/clock.ts';
import { createBullConnection } from '../../src/store/redis.ts';
import { wallTime } from '../../src/time.ts';
import { accepted, idOf, text, useHarness } from './harness.ts';

let queue: Queue;
let conn: ReturnType<typeof createBullConnection>;
const clock = new ManualClock(Date.UTC(2026, 10, 23, 9, 0));
const h = useHarness({ clock, workers: false, groups: { 沪连: [{ platform: 'telegram', chatId: '-4001' }] } });

beforeAll(async () => {
  conn = createBullConnection(h.redis.url);
  queue = new Queue(REMINDERS_QUEUE, { connection: conn, prefix: bullPrefix({ REDIS_PREFIX: h.env.REDIS_PREFIX! }) });
});

afterAll(async () => {
  await queue?.close();
  await conn?.quit();
});

const jobIds = async () => (await queue.getDelayed()).map((j) => j.id).sort();

describe('recurrence', () => {
  it('a yearly Berlin meeting on New Year’s Eve moves to the next year at 23:30 Berlin time', async () => {
    const { reply: r, id } = await accepted(h, '/meeting add "柏林年终例会" 2026-12-31 23:30 沪连 --tz Europe/Berlin --remind 1d,1h --every yearly');
    const m0 = (await h.app.services.meetings.get(id))!;
    expect(new Date(m0.occurrence).toISOString()).toBe('2026-12-31T22:30:00.000Z');
    expect(text(r)).toContain('2027年12月31日（周五）23:30 Europe/Berlin');
    expect(await jobIds()).toEqual(
      [`ma.${id}.g1.${m0.occurrence}`, `mr.${id}.g1.${m0.occurrence}.1d`, `mr.${id}.g1.${m0.occurrence}.1h`].sort(),
    );

    clock.set(m0.occurrence);
    expect(await h.app.services.meetings.advance({ kind: 'advance', meetingId: id, generation: 1, occurrence: m0.occurrence })).toBe('advanced');
    const m1 = (await h.app.services.meetings.get(id))!;
    expect(new Date(m1.occurrence).toISOString()).toBe('2027-12-31T22:30:00.000Z');
    const w = wallTime(m1.occurrence, 'Europe/Berlin');
    expect([w.year, w.month, w.day, w.hour, w.minute]).toEqual([2027, 12, 31, 23, 30]);
    expect(m1.seq).toBe(1);
    const ids = await jobIds();
    expect(ids).toContain(`mr.${id}.g1.${m1.occurrence}.1d`);
    expect(ids).toContain(`mr.${id}.g1.${m1.occurrence}.1h`);
    expect(ids).toContain(`ma.${id}.g1.${m1.occurrence}`);

    // The same advance delivered twice (a retry) changes nothing.
    expect(await h.app.services.meetings.advance({ kind: 'advance', meetingId: id, generation: 1, occurrence: m0.occurrence })).toBe('stale');
    expect((await h.app.services.meetings.get(id))!.occurrence).toBe(m1.occurrence);
  });

  it('a weekly meeting across a DST change in New York keeps its local time', async () => {
    clock.set(Date.UTC(2027, 2, 1));
    const r = await h.say('/meeting add "纽约周会" 2027-03-11 10:00 沪连 --tz America/New_York --remind 1h --every weekly');
    const id = idOf(r);
    const m0 = (await h.app.services.meetings.get(id))!;
    clock.set(m0.occurrence);
    await h.app.services.meetings.advance({ kind: 'advance', meetingId: id, generation: 1, occurrence: m0.occurrence });
    const m1 = (await h.app.services.meetings.get(id))!;
    // 2027-03-14 is the spring-forward Sunday: 10:00 EST (15:00Z) becomes 10:00 EDT (14:00Z).
    expect(new Date(m0.occurrence).toISOString()).toBe('2027-03-11T15:00:00.000Z');
    expect(new Date(m1.occurrence).toISOString()).toBe('2027-03-18T14:00:00.000Z');
  });

  it('a reminder running late says how long is really left, and none is sent once the meeting has begun', async () => {
    clock.set(Date.UTC(2027, 4, 1));
    const r = await h.say('/meeting add "迟到的提醒" 2027-05-10 10:00 沪连 --remind 1d');
    const id = idOf(r);
    const m = (await h.app.services.meetings.get(id))!;
    clock.set(m.occurrence - 3 * 3600_000);
    expect(h.app.services.meetings.reminderReply(m, '1d').blocks[0]!.text).toBe('距会议开始还有约3小时。');
    clock.set(m.occurrence - 24 * 3600_000 + 60_000);
    expect(h.app.services.meetings.reminderReply(m, '1d').blocks[0]!.text).toBe('距会议开始还有1天。');
    clock.set(m.occurrence + 1000);
    const job = { kind: 'meeting' as const, meetingId: id, generation: 1, occurrence: m.occurrence, offset: '1d' };
    expect(await h.app.services.meetings.fireReminder(job)).toBe('late');
  });

  it('refuses a cron pattern that would repeat more often than hourly', async () => {
    const r = await h.say('/meeting add "刷屏会" 2027-06-01 09:00 沪连 --every "*/5 * * * *"');
    expect(r.tone).toBe('error');
    expect(r.blocks[0]!.text).toContain('重复间隔太短：会议至少相隔 1 小时');
    const ok = await h.say('/meeting add "周一例会" 2027-06-01 09:00 沪连 --every "0 9 * * 1"');
    expect(ok.tone, text(ok)).toBe('notice');
  });

  it('move with a time alone keeps the date; the old generation’s jobs are gone and the new ones are there', async () => {
    clock.set(Date.UTC(2027, 5, 1));
    const id = idOf(await h.say('/meeting add "改时间" 2027-06-10 09:30 沪连 --remind 1h'));
    const before = (await h.app.services.meetings.get(id))!;
    const r = await h.say(`/meeting move ${id} 14:00`);
    expect(r.tone, text(r)).toBe('notice');
    const after = (await h.app.services.meetings.get(id))!;
    expect(new Date(after.occurrence).toISOString()).toBe('2027-06-10T06:00:00.000Z');
    const ids = await jobIds();
    expect(ids).not.toContain(`mr.${id}.g1.${before.occurrence}.1h`);
    expect(ids).toContain(`mr.${id}.g2.${after.occurrence}.1h`);
  });
});
