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
import { accepted, ahead, type Harness, idOf, makeGroup, shanghai, startHarness, text, until } from './harness.ts';

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

/** Nothing left in the delivery queues: every message has been sent, failed or skipped. */
async function drained(): Promise<boolean> {
  for (const p of DELIVERY_PLATFORMS) {
    const c = await h.app.services.outbox.queue(p).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    if (Object.values(c).some((n) => n > 0)) return false;
  }
  return true;
}

const titlesTo = (chatId: string) => telegram.sends.filter((s) => s.to.chatId === chatId).map((s) => s.reply.title ?? '');

/**
 * A meeting in a group of its own, one chat, whose 30m reminder has fired (as its timer job
 * would) and sits in the delivery queue: the chat refused its first attempt with a 429.
 */
async function meetingWithQueuedReminder(group: string, chatId: string, title: string): Promise<{ id: string; start: number }> {
  await makeGroup(h, group, [{ platform: 'telegram', chatId }]);
  const start = ahead(3600_000);
  const id = idOf(await h.say(`/meeting add "${title}" ${shanghai(start)} ${group} --remind 30m`));
  const m = (await h.app.services.meetings.get(id))!;
  expect(await h.app.services.meetings.fireReminder({ kind: 'meeting', meetingId: id, generation: m.generation, occurrence: m.occurrence, offset: '30m' })).toBe('sent');
  await until(() => (telegram.attempts.get(`telegram:${chatId}`) ?? 0) >= 1, 10_000, 'first (429) attempt');
  return { id, start };
}

/** The notice titled `notice…` reaches the chat, the queues drain, and the stale 会议提醒 never does. */
async function expectNoticeNotReminder(chatId: string, notice: string): Promise<void> {
  await until(() => titlesTo(chatId).some((t) => t.startsWith(notice)), 10_000, `${notice} notice`);
  await until(drained, 10_000, 'delivery queues drained');
  expect(titlesTo(chatId).filter((t) => t.startsWith('会议提醒'))).toEqual([]);
}

describe('reminders queued for delivery when their subject changes', () => {
  it('a cancelled meeting: the group gets the cancel notice and never the queued reminder', async () => {
    const { id } = await meetingWithQueuedReminder('取消组', '-7101', '取消测试会');
    const cancelled = await h.say(`/meeting cancel ${id}`);
    expect(cancelled.tone, text(cancelled)).toBe('notice');
    await expectNoticeNotReminder('-7101', '会议取消');
  });

  it('a moved meeting: the old reminder still queued is dropped; the move notice arrives', async () => {
    const { id, start } = await meetingWithQueuedReminder('改期组', '-7201', '改期测试会');
    const moved = await h.say(`/meeting move ${id} ${shanghai(start + 24 * 3600_000)}`);
    expect(moved.tone, text(moved)).toBe('notice');
    await expectNoticeNotReminder('-7201', '会议改期');
  });

  it('a deadline marked done: its reminder already queued is not sent', async () => {
    const chat: Destination = { platform: 'telegram', chatId: '-7301' };
    await makeGroup(h, '期限组', [chat]);
    const due = new Date(Date.now() + 10 * 24 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 10);
    const { id } = await accepted(h, `/deadline add 报送材料 ${due} 期限组 --remind 1d`);
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
