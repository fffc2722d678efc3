/**
 * The done-when, end to end through real grammy against the Telegram stand-in: the
 * bot's adapter, the router, the alert service, BullMQ delivery and escalation workers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TelegramCall } from '../support/fake-telegram.ts';
import { useTelegramApp } from '../support/telegram-bot.ts';
import { AlertStore } from '../../src/alerts/store.ts';

const TIMEOUT_MS = 2500;
const CHATS: Record<string, number> = {
  文山应急: -1001,
  上海应急: -1002,
  应急领导小组: -1003,
  应急协调中心: -1004,
  市政府总值班室: -1005,
};
const OFFICER = 42;

const { tg, app } = useTelegramApp({ DELIVERY_LIMITS: '0', ALERT_TIMEOUTS_MS: `II=${TIMEOUT_MS}` });
let store: AlertStore;

const to = (chat: number) => (c: TelegramCall) => String(c.body.chat_id) === String(chat);
const textOf = (c: TelegramCall) => String(c.body.text ?? '');
const sendsTo = (chat: number, needle: string) => tg.delivered('sendMessage').filter((c) => to(chat)(c) && textOf(c).includes(needle));

beforeAll(async () => {
  for (const [g, chat] of Object.entries(CHATS)) {
    await app.services.groups.create(g);
    await app.services.groups.add(g, [{ to: { platform: 'telegram', chatId: String(chat) } }]);
  }
  await app.services.roles.grant(`telegram:${OFFICER}`, 'emergency');
  store = new AlertStore(app.services.redis, app.services.config.REDIS_PREFIX);
});

async function trigger(text: string): Promise<string> {
  tg.pushUpdate(tg.privateText(OFFICER, text));
  const reply = await tg.waitForCall('sendMessage', (c) => to(OFFICER)(c) && /警报 A-\d{8}-\d{2} 已发出/.test(textOf(c)) && !seen.has(textOf(c)));
  seen.add(textOf(reply));
  return /A-\d{8}-\d{2}/.exec(textOf(reply))![0];
}
const seen = new Set<string>();

describe('/alert through the Telegram stand-in', () => {
  it('reaches 文山, 上海 and leadership at once; the coordination centre after the timeout', async () => {
    const id = await trigger('/alert 文山 地震 II 州府震感强烈，已有房屋倒塌');
    for (const g of ['文山应急', '上海应急', '应急领导小组']) {
      const c = await tg.waitForCall('sendMessage', (x) => to(CHATS[g]!)(x) && textOf(x).includes(id));
      expect(textOf(c)).toContain('州府震感强烈，已有房屋倒塌');
      expect(JSON.stringify(c.body.reply_markup)).toContain(`alert.ack|${id}`);
    }
    expect(sendsTo(CHATS['应急协调中心']!, id)).toHaveLength(0);
    const sentAt = (await store.get(id))!.sentAt!;
    const esc = await tg.waitForCall('sendMessage', (x) => to(CHATS['应急协调中心']!)(x) && textOf(x).includes(id), 10_000);
    expect(textOf(esc)).toContain('升级');
    // Never before the configured timeout.
    expect(esc.at - sentAt).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    const status = (await store.timeline(id)).map((e) => e.kind);
    expect(status).toContain('escalated');
  });

  it('a 收到 press from one group stops escalation; every copy and the status show who', async () => {
    const id = await trigger('/alert 文山 暴雨 II 城区内涝');
    await tg.waitForCall('sendMessage', (x) => to(CHATS['上海应急']!)(x) && textOf(x).includes(id));
    // Message ids come back through the delivery outcome; wait until all three are recorded.
    let msgs: Record<string, string> = {};
    for (let i = 0; i < 100 && Object.keys(msgs).length < 3; i++) {
      msgs = await store.messages(id);
      await new Promise((r) => setTimeout(r, 20));
    }
    const shMessage = Number(msgs[`telegram:${CHATS['上海应急']}`]);
    tg.pushUpdate(tg.callbackQuery(CHATS['上海应急']!, 77, shMessage, `alert.ack|${id}`));
    const answer = await tg.waitForCall('answerCallbackQuery', (c) => String(c.body.text ?? '').includes('上海应急'));
    expect(answer.body.text).toBe('已记录：上海应急 收到');
    const edited = await tg.waitForCall('editMessageText', (c) => to(CHATS['上海应急']!)(c) && Number(c.body.message_id) === shMessage);
    expect(textOf(edited)).toMatch(/上海应急：收到（用户77/);
    // The other groups' copies are edited too.
    const other = await tg.waitForCall('editMessageText', (c) => to(CHATS['文山应急']!)(c) && textOf(c).includes(id));
    expect(textOf(other)).toMatch(/上海应急：收到（用户77/);

    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 1000));
    expect(sendsTo(CHATS['应急协调中心']!, id)).toHaveLength(0);

    tg.pushUpdate(tg.privateText(OFFICER, `/alert status ${id}`));
    const status = await tg.waitForCall('sendMessage', (c) => to(OFFICER)(c) && textOf(c).includes('时间线') && textOf(c).includes(id));
    expect(textOf(status)).toMatch(/上海应急：收到（用户77/);
    expect(textOf(status)).toContain('确认收到 上海应急');
  });

  it('resolving edits every posted card to 【已结束】 without buttons', async () => {
    const id = await trigger('/alert 文山 滑坡 II 山体滑坡');
    let msgs: Record<string, string> = {};
    for (let i = 0; i < 200 && Object.keys(msgs).length < 3; i++) {
      msgs = await store.messages(id);
      await new Promise((r) => setTimeout(r, 20));
    }
    tg.pushUpdate(tg.privateText(OFFICER, `/alert resolve ${id} 险情解除`));
    for (const group of ['文山应急', '上海应急']) {
      const chat = CHATS[group]!;
      const message = Number(msgs[`telegram:${chat}`]);
      const edited = await tg.waitForCall('editMessageText', (c) => to(chat)(c) && Number(c.body.message_id) === message && textOf(c).includes('【已结束】'));
      expect(textOf(edited)).toContain(id);
      // No 收到 / 我来负责 left on a closed alert.
      expect(JSON.stringify(edited.body.reply_markup ?? {})).not.toContain('alert.ack');
    }
    // Let the 响应结束 notices reach every notified chat before the next test counts messages.
    for (const group of ['文山应急', '上海应急', '应急领导小组'])
      await tg.waitForCall('sendMessage', (c) => to(CHATS[group]!)(c) && textOf(c).includes('响应结束') && textOf(c).includes(id));
    await app.services.alerts.idle();
  });

  it('refuses a user without the emergency role and sends nothing', async () => {
    const before = tg.delivered('sendMessage').length;
    tg.pushUpdate(tg.privateText(5, '/alert 文山 地震 I 测试'));
    const r = await tg.waitForCall('sendMessage', to(5));
    expect(textOf(r)).toContain('应急');
    await new Promise((r) => setTimeout(r, 200));
    expect(tg.delivered('sendMessage').length).toBe(before + 1);
  });
});
