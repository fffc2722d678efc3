/**
 * A reminder already handed to delivery when its meeting is cancelled or moved, or its deadline
 * done, must not reach the group: the delivery job waits out a 429 from the platform, the change
 * happens meanwhile, and the next attempt finds the reminder stale and completes unsent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendError } from '../../src/errors.ts';
import type { Destination } from '../../src/messages.ts';
import { DELIVERY_PLATFORMS } from '../../jobs/queues.ts';
import { RecordingSender } from '../delivery/harness.ts';
import { type Harness, makeGroup, shanghai, startHarness, text, until } from './harness.ts';

const telegram = new RecordingSender('telegram');
const slack = new RecordingSender('slack');
let h: Harness;

/** Chats whose first send is answered 429 (retry after 1.5 s): the reminder sits queued meanwhile. */
const THROTTLED = new Set(['-7101', '-7201', '-7301']);

beforeAll(async () => {
  telegram.fault = (to, nth) =>
    THROTTLED.has(to.chatId) && nth === 1
      ? new SendError('Too Many Requests: retry after 1', { platformCode: 429, retryAfterMs: 1500 })
      : undefined;
  h = await startHarness({ senders: { telegram, slack } });
});

afterAll(async () => {
  await h?.close();
});

const ahead = (ms: number) => Math.ceil((Date.now() + ms) / 1000) * 1000;

function idOf(footer: string | undefined, re: RegExp): string {
  const m = re.exec(footer ?? '');
  if (!m) throw new Error(`no id in ${footer}`);
  return m[0];
}

/** Nothing left in the delivery queues: every message has been sent, failed or skipped. */
async function drained(): Promise<boolean> {
  for (const p of DELIVERY_PLATFORMS) {
    const c = await h.app.services.outbox.queue(p).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    if (Object.values(c).some((n) => n > 0)) return false;
  }
  return true;
}

const titlesTo = (chatId: string) => telegram.sends.filter((s) => s.to.chatId === chatId).map((s) => s.reply.title ?? '');

describe('reminders queued for delivery when their subject changes', () => {
  it('a cancelled meeting: the group gets the cancel notice and never the queued reminder', async () => {
    const chat: Destination = { platform: 'telegram', chatId: '-7101' };
    await makeGroup(h, '取消组', [chat]);
    const start = ahead(3600_000);
    const add = await h.say(`/meeting add "取消测试会" ${shanghai(start)} 取消组 --remind 30m`);
    const id = idOf(add.footer, /M\d+/);
    const m = (await h.app.services.meetings.get(id))!;
    // The 30m reminder fires (as its timer job would) and is queued for delivery.
    expect(await h.app.services.meetings.fireReminder({ kind: 'meeting', meetingId: id, generation: m.generation, occurrence: m.occurrence, offset: '30m' })).toBe('sent');
    await until(() => (telegram.attempts.get('telegram:-7101') ?? 0) >= 1, 10_000, 'first (429) attempt');

    const cancelled = await h.say(`/meeting cancel ${id}`);
    expect(cancelled.tone, text(cancelled)).toBe('notice');
    await until(() => titlesTo('-7101').some((t) => t.startsWith('会议取消')), 10_000, 'cancel notice');
    await until(drained, 10_000, 'delivery queues drained');
    expect(titlesTo('-7101').filter((t) => t.startsWith('会议提醒'))).toEqual([]);
  });

  it('a moved meeting: the old reminder still queued is dropped; the move notice arrives', async () => {
    const chat: Destination = { platform: 'telegram', chatId: '-7201' };
    await makeGroup(h, '改期组', [chat]);
    const start = ahead(3600_000);
    const id = idOf((await h.say(`/meeting add "改期测试会" ${shanghai(start)} 改期组 --remind 30m`)).footer, /M\d+/);
    const m = (await h.app.services.meetings.get(id))!;
    expect(await h.app.services.meetings.fireReminder({ kind: 'meeting', meetingId: id, generation: m.generation, occurrence: m.occurrence, offset: '30m' })).toBe('sent');
    await until(() => (telegram.attempts.get('telegram:-7201') ?? 0) >= 1, 10_000, 'first (429) attempt');

    const moved = await h.say(`/meeting move ${id} ${shanghai(start + 24 * 3600_000)}`);
    expect(moved.tone, text(moved)).toBe('notice');
    await until(() => titlesTo('-7201').some((t) => t.startsWith('会议改期')), 10_000, 'move notice');
    await until(drained, 10_000, 'delivery queues drained');
    expect(titlesTo('-7201').filter((t) => t.startsWith('会议提醒'))).toEqual([]);
  });

  it('a deadline marked done: its reminder already queued is not sent', async () => {
    const chat: Destination = { platform: 'telegram', chatId: '-7301' };
    await makeGroup(h, '期限组', [chat]);
    const due = new Date(Date.now() + 10 * 24 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 10);
    const add = await h.say(`/deadline add 报送材料 ${due} 期限组 --remind 1d`);
    expect(add.tone, text(add)).toBe('notice');
    const id = idOf(add.footer, /D\d+/);
    expect(await h.app.services.officeDeadlines.fireReminder({ kind: 'deadline', deadlineId: id, generation: 1, offset: '1d' })).toBe('sent');
    await until(() => (telegram.attempts.get('telegram:-7301') ?? 0) >= 1, 10_000, 'first (429) attempt');

    expect(text(await h.say(`/deadline done ${id}`))).toContain('已标记完成');
    await until(drained, 10_000, 'delivery queues drained');
    expect(titlesTo('-7301')).toEqual([]);
    // The queued job was attempted again and finished as skipped, not as a failure.
    expect(telegram.attempts.get('telegram:-7301')).toBe(1);
    expect(await h.app.services.outbox.queue('telegram').getJobCounts('failed')).toEqual({ failed: 0 });
  });
});
