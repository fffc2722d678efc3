/**
 * The done-when, end to end through real grammy against the Telegram stand-in: an admin
 * grants coordinator, the user builds a group of 50 chats by typing /group add in each, then
 * broadcasts and confirms; every chat receives it once and the preview shows progress and the
 * report. A user without the role is refused and nothing is sent.
 */
import { describe, expect, it } from 'vitest';
import type { TelegramCall } from '../support/fake-telegram.ts';
import { useTelegramApp } from '../support/telegram-bot.ts';
import { waitFor } from './harness.ts';

const ADMIN = 10;
const COORD = 20;
const STRANGER = 30;
const CHATS = Array.from({ length: 50 }, (_, i) => -1000100 - i);

const { tg, app } = useTelegramApp({
  ADMINS: `telegram:${ADMIN}`,
  // Real per-chat rules, bot-wide rate lifted so the test stays quick.
  DELIVERY_TELEGRAM_PER_S: '0',
});

const textOf = (c: TelegramCall) => String(c.body.text ?? '');
const toChat = (chat: number) => (c: TelegramCall) => String(c.body.chat_id) === String(chat);

async function say(user: number, text: string, needle: string | RegExp): Promise<TelegramCall> {
  const before = tg.calls.length;
  tg.pushUpdate(tg.privateText(user, text));
  return tg.waitForCall('sendMessage', (c) => tg.calls.indexOf(c) >= before && toChat(user)(c) && (typeof needle === 'string' ? textOf(c).includes(needle) : needle.test(textOf(c))));
}

describe('broadcast through the Telegram stand-in', () => {
  it('a user without the role is refused and nothing is sent', async () => {
    await app.services.groups.create('旁人组');
    await app.services.groups.add('旁人组', [{ to: { platform: 'telegram', chatId: '-777' } }]);
    const r = await say(STRANGER, '/broadcast 旁人组 测试', '权限');
    expect(textOf(r)).toContain('协调员');
    await new Promise((res) => setTimeout(res, 300));
    expect(tg.callsTo('sendMessage').filter(toChat(-777))).toHaveLength(0);
  });

  it('admin grants coordinator; 50 chats join; broadcast, confirm: each chat once, progress and report', async () => {
    await say(ADMIN, `/role grant telegram:${COORD} coordinator`, '已授予');
    await say(COORD, '/group create 沪连联席会议 沪连对口合作联席会议', '已创建');
    for (const chat of CHATS) {
      tg.pushUpdate(tg.groupText(chat, COORD, '/group add 沪连联席会议'));
    }
    await waitFor(async () => ((await app.services.groups.get('沪连联席会议'))?.destinations.length ?? 0) === 50, 20_000);

    const preview = await say(COORD, '/broadcast 沪连联席会议 请于12月10日9:30参加沪连对口合作联席会议。', '50 个聊天');
    const previewId = previewMessageId(preview);
    const buttons = JSON.stringify(preview.body.reply_markup);
    expect(buttons).toContain('确认发送');
    const data = preview.body.reply_markup.inline_keyboard[0][0].callback_data as string;
    tg.pushUpdate(tg.callbackQuery(COORD, COORD, previewId, data));

    await waitFor(() => CHATS.every((chat) => tg.delivered('sendMessage').some((c) => toChat(chat)(c) && textOf(c).includes('沪连对口合作联席会议'))), 20_000);
    const report = await tg.waitForCall('editMessageText', (c) => toChat(COORD)(c) && Number(c.body.message_id) === previewId && textOf(c).includes('群发报告'), 10_000);
    expect(textOf(report)).toContain('已送达 50/50');
    expect(textOf(report)).toContain('已完成');

    for (const chat of CHATS) {
      const got = tg.delivered('sendMessage').filter((c) => toChat(chat)(c) && textOf(c).includes('请于12月10日'));
      expect(got).toHaveLength(1);
    }
    const edits = tg.delivered('editMessageText').filter((c) => toChat(COORD)(c) && Number(c.body.message_id) === previewId);
    expect(edits.some((e) => /已送达 \d+\/50/.test(textOf(e)) && !textOf(e).includes('群发报告'))).toBe(true);
    // Progress edits are throttled: never two within a second, except the final report.
    const progress = edits.filter((e) => !textOf(e).includes('群发报告')).map((e) => e.at);
    for (let i = 1; i < progress.length; i++) expect(progress[i]! - progress[i - 1]!).toBeGreaterThanOrEqual(900);
    const audit = (await app.services.audit.latest(200)).map((e) => e.action);
    expect(audit).toContain('role.grant');
    expect(audit).toContain('group.create');
    expect(audit).toContain('broadcast.confirm');
  });
});

function previewMessageId(call: TelegramCall): number {
  // The stand-in numbers messages per chat from 101 in the order it accepted them.
  const sameChat = tg.delivered('sendMessage').filter(toChat(Number(call.body.chat_id)));
  return 100 + sameChat.indexOf(call) + 1;
}
