/**
 * The "done when", through the Telegram stand-in: a coordinator types /meeting add in a
 * Telegram group with `--remind 1m`; the group's chats receive the reminder within 2 s of its due
 * time, and its 参加 button, pressed in Telegram, lands in the tally.
 *
 * The meeting is set 65 s ahead rather than two minutes, so the 1-minute reminder is due about
 * 5 s into the test; the path is the same. Observed lateness is logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramAdapter } from '../../src/platforms/telegram/adapter.ts';
import type { Senders } from '../../src/delivery/sender.ts';
import { startFakeTelegram, type FakeTelegram, type TelegramCall } from '../support/fake-telegram.ts';
import { startTelegramBot } from '../support/telegram-bot.ts';
import { type Harness, makeGroup, shanghai, startHarness } from './harness.ts';

const TOKEN = '123:MEETINGS';
const COORDINATOR_ID = 4242;
const CHATS = [-100111, -100222];

let tg: FakeTelegram;
let h: Harness;
let adapter: TelegramAdapter;

beforeAll(async () => {
  tg = await startFakeTelegram({ maxPollMs: 200 });
  const senders: Senders = {};
  h = await startHarness({ senders, env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: tg.apiRoot } });
  adapter = await startTelegramBot({ tg, router: h.app.router, services: h.app.services, token: TOKEN });
  // The workers were handed this object: the adapter's sender is the one they deliver with.
  senders.telegram = adapter.sender;
  await h.app.services.roles.grant(`telegram:${COORDINATOR_ID}`, 'coordinator');
  await makeGroup(
    h,
    '沪连',
    CHATS.map((c) => ({ platform: 'telegram', chatId: String(c) })),
  );
});

afterAll(async () => {
  await adapter?.stop();
  await h?.close();
  await tg?.close();
});

const textOf = (c: TelegramCall) => String(c.body.text ?? '');
const sameChat = (c: TelegramCall, chat: number) => String(c.body.chat_id) === String(chat);

describe('meeting reminders through Telegram', () => {
  it('reaches every chat of the group within 2 s of its due time, with working RSVP buttons', async () => {
    const start = Math.ceil((Date.now() + 65_000) / 1000) * 1000;
    const due = start - 60_000;
    tg.pushUpdate(tg.groupText(CHATS[0]!, COORDINATOR_ID, `/meeting add "沪连对口合作联席会议" ${shanghai(start)} 沪连 --remind 1m --where 大连`));
    const ack = await tg.waitForCall('sendMessage', (c) => sameChat(c, CHATS[0]!) && textOf(c).includes('已安排会议'), 10_000);
    const id = /M\d+/.exec(textOf(ack))![0];

    const reminders = await Promise.all(
      CHATS.map((chat) => tg.waitForCall('sendMessage', (c) => sameChat(c, chat) && textOf(c).includes('会议提醒'), 15_000)),
    );
    const lateness = reminders.map((c) => c.at - due);
    console.log('telegram reminder lateness (ms):', lateness.join(', '));
    for (const l of lateness) {
      expect(l).toBeGreaterThanOrEqual(-50);
      expect(l).toBeLessThan(2000);
    }
    const r = reminders[1]!;
    expect(textOf(r)).toContain('沪连对口合作联席会议');
    expect(textOf(r)).toContain('大连');
    const keyboard = (r.body.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard;
    expect(keyboard[0]!.map((b) => b.text)).toEqual(['参加', '不参加', '委派他人']);

    // An official in the second chat presses 参加 on the reminder.
    const sent = tg.delivered('sendMessage').filter((c) => sameChat(c, CHATS[1]!) && textOf(c).includes('会议提醒'));
    expect(sent).toHaveLength(1);
    const messageId = 101; // the stand-in numbers each chat's messages from 101; the reminder is the first there
    tg.pushUpdate(tg.callbackQuery(CHATS[1]!, 777, messageId, keyboard[0]![0]!.callback_data));
    const answer = await tg.waitForCall('answerCallbackQuery', (c) => String(c.body.text ?? '').includes('已记录：参加'), 10_000);
    expect(answer.status).toBe(200);
    const m = (await h.app.services.meetings.get(id))!;
    const tally = await h.app.services.meetings.tally(m);
    expect(tally.yes).toBe(1);
    expect(tally.entries[0]!.user).toBe('telegram:777');
    // The reminder itself now shows the tally, with its buttons still there.
    const edited = await tg.waitForCall('editMessageText', (c) => sameChat(c, CHATS[1]!) && Number(c.body.message_id) === messageId, 10_000);
    expect(textOf(edited)).toContain('参加 1｜不参加 0｜委派他人 0');
    expect(textOf(edited)).toContain('沪连对口合作联席会议');
    expect(JSON.stringify(edited.body.reply_markup)).toContain(keyboard[0]![1]!.callback_data);
    // A second official's 不参加 updates the same message.
    tg.pushUpdate(tg.callbackQuery(CHATS[1]!, 778, messageId, keyboard[0]![1]!.callback_data));
    const again = await tg.waitForCall('editMessageText', (c) => sameChat(c, CHATS[1]!) && textOf(c).includes('参加 1｜不参加 1'), 10_000);
    expect(Number(again.body.message_id)).toBe(messageId);
  }, 40_000);
});
