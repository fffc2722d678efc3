/**
 * Buttons under knowledge replies, end to end with the real commands and seed corpus: a typed
 * question goes in through the Telegram stand-in (getUpdates) or a signed Slack slash command,
 * the reply carries the buttons, and pressing them (callback_query / block_actions) brings the
 * full clause, the next page of results or a document's outline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { msg } from '../../src/i18n/index.ts';
import type { Knowledge } from '../../src/knowledge/knowledge.ts';
import type { TelegramAdapter } from '../../src/platforms/telegram/adapter.ts';
import { type FakeSlack, blockActionsBody, postSigned, slashCommandBody, startFakeSlack } from '../support/fake-slack.ts';
import { type SlackBot, startSlackBot } from '../support/slack-bot.ts';
import { type FakeTelegram, type TelegramCall, startFakeTelegram } from '../support/fake-telegram.ts';
import { startTelegramBot } from '../support/telegram-bot.ts';
import { knowledgeApp } from './fixture.ts';

/** 2026-11-23, Beijing noon: every plan period in the seeds (up to 2025) is over. */
const NOW = Date.UTC(2026, 10, 23, 4);
const QUESTION = '对口支援日喀则的重点是什么';
/** Its second result, 一（一）, is longer than a result list shows. */
const CUT_CLAUSE = 'sh-fyp11#1.1';

type Key = { text: string; callback_data: string };
const keyboard = (c: TelegramCall): Key[] => (c.body.reply_markup?.inline_keyboard ?? []).flat();
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('knowledge buttons through Telegram', () => {
  let tg: FakeTelegram;
  let adapter: TelegramAdapter;
  let k: Knowledge;
  let chat = 700;

  /** Send `text` from a fresh private chat and return the (last part of the) reply. */
  async function ask(text: string): Promise<{ chat: number; sent: TelegramCall }> {
    const id = ++chat;
    tg.pushUpdate(tg.privateText(id, text));
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === String(id) && c.body.reply_markup !== undefined);
    return { chat: id, sent };
  }

  /** Press `data` on message 1 of `chatId`; returns the answerCallbackQuery and the new message. */
  async function press(chatId: number, data: string): Promise<{ answered: TelegramCall; reply: TelegramCall }> {
    const before = tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === String(chatId)).length;
    const q = tg.pushUpdate(tg.callbackQuery(chatId, chatId, 1, data));
    const answered = await tg.waitForCall('answerCallbackQuery', (c) => c.body.callback_query_id === q.callback_query.id);
    const reply = await tg.waitForCall(
      'sendMessage',
      (c) => String(c.body.chat_id) === String(chatId) && tg.callsTo('sendMessage').filter((x) => String(x.body.chat_id) === String(chatId)).indexOf(c) >= before,
    );
    return { answered, reply };
  }

  beforeAll(async () => {
    tg = await startFakeTelegram();
    const app = await knowledgeApp(new ManualClock(NOW));
    k = app.knowledge;
    adapter = await startTelegramBot({ tg, router: app.router, services: app.services });
  });
  afterAll(async () => {
    await adapter.stop();
    await tg.close();
  });

  it('puts full-clause, more-results and outline buttons under a clause answer, all within 64 bytes', async () => {
    const { sent } = await ask(QUESTION);
    expect(sent.body.text).toContain('安康工程');
    const keys = keyboard(sent);
    expect(keys).toContainEqual({ text: '全文：一（一）', callback_data: `ask.full|${CUT_CLAUSE}` });
    expect(keys).toContainEqual({ text: msg.knowledge.moreButton, callback_data: `ask.more|3|${QUESTION}` });
    expect(keys).toContainEqual({ text: '提纲：十一五服务全国和对口帮扶规划', callback_data: 'toc.doc|sh-fyp11' });
    // Clauses shown whole get no full-text button.
    expect(keys.filter((b) => b.callback_data.startsWith('ask.full|'))).toHaveLength(1);
    for (const b of keys) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
  });

  it('全文 answers the callback query and sends the whole clause with its citation', async () => {
    const { chat: id } = await ask(QUESTION);
    const clause = k.clause(CUT_CLAUSE)!;
    const { answered, reply } = await press(id, `ask.full|${CUT_CLAUSE}`);
    expect(answered.body.text).toBeUndefined();
    const text = String(reply.body.text);
    expect(text).toContain('条款全文');
    // The list showed an excerpt ending in …; the button brings the end of the clause too.
    expect(text).toContain(html(clause.text.slice(-40)));
    expect(text).toContain(html('《上海市服务全国和对口帮扶“十一五”规划》一（一）'));
    expect(keyboard(reply)).toEqual([{ text: '提纲：十一五服务全国和对口帮扶规划', callback_data: 'toc.doc|sh-fyp11' }]);
  });

  it('更多结果 sends the next page of the same question, with its own buttons', async () => {
    const { chat: id } = await ask(QUESTION);
    const first = await press(id, `ask.more|3|${QUESTION}`);
    const page = String(first.reply.body.text);
    expect(page).toContain('更多相关条款（第 4—6 条）');
    // Results 4–6 of the same ranking, none of the first page's.
    expect(page).toContain(html('《上海市服务全国和对口帮扶“十一五”规划》三（二）1（1）第1项'));
    expect(page).not.toContain(html('《上海市服务全国和对口帮扶“十一五”规划》一（一）'));
    const more = keyboard(first.reply).find((b) => b.text === msg.knowledge.moreButton);
    expect(more?.callback_data).toBe(`ask.more|6|${QUESTION}`);
    const second = await press(id, more!.callback_data);
    expect(String(second.reply.body.text)).toContain('更多相关条款（第 7—9 条）');
  });

  it('pages past the end get a toast and no message; tampered values get the stale-button notice', async () => {
    const id = ++chat;
    const q1 = tg.pushUpdate(tg.callbackQuery(id, id, 1, `ask.more|30|${QUESTION}`));
    const a1 = await tg.waitForCall('answerCallbackQuery', (c) => c.body.callback_query_id === q1.callback_query.id);
    expect(a1.body.text).toBe(msg.knowledge.noMorePages);
    const q2 = tg.pushUpdate(tg.callbackQuery(id, id, 1, 'ask.more|x'));
    const a2 = await tg.waitForCall('answerCallbackQuery', (c) => c.body.callback_query_id === q2.callback_query.id);
    expect(a2.body.text).toBe(msg.common.staleButton);
    const q3 = tg.pushUpdate(tg.callbackQuery(id, id, 1, 'ask.full|no-such#9'));
    const a3 = await tg.waitForCall('answerCallbackQuery', (c) => c.body.callback_query_id === q3.callback_query.id);
    expect(a3.body.text).toBe(msg.knowledge.clauseGone);
    await new Promise((r) => setTimeout(r, 200));
    expect(tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === String(id))).toHaveLength(0);
  });

  it('a long question travels as a stored token and still pages', async () => {
    const long = '上海对口支援西藏日喀则地区和新疆阿克苏地区的重点工作和援建项目有哪些';
    const { chat: id, sent } = await ask(long);
    const more = keyboard(sent).find((b) => b.text === msg.knowledge.moreButton)!;
    expect(more.callback_data).toMatch(/^~[A-Za-z0-9_-]+$/);
    const { reply } = await press(id, more.callback_data);
    expect(String(reply.body.text)).toMatch(/更多相关条款（第 \d+—\d+ 条）/);
  });

  it('/toc lists documents with outline buttons; pressing one sends that outline', async () => {
    const { chat: id, sent } = await ask('/toc');
    const keys = keyboard(sent);
    expect(keys.map((b) => b.callback_data)).toEqual(k.docs.map((d) => `toc.doc|${d.meta.id}`));
    const { reply } = await press(id, 'toc.doc|sh-dl-coop');
    const text = String(reply.body.text);
    expect(text).toContain('《上海市與大連市對口合作實施方案》提纲');
    expect(text).toContain('三、');
  });

  it('/pair shows plan periods that are over as ended, and 原文 opens the cited clause', async () => {
    const { chat: id, sent } = await ask('/pair 大连');
    const text = String(sent.body.text);
    expect(text).toContain('上海');
    expect(text).toContain('状态：规划期已结束（2017—2020）');
    expect(text).not.toContain('进行中');
    const source = keyboard(sent).find((b) => b.text === '原文：三（一）');
    expect(source?.callback_data).toMatch(/^ask\.full\|sh-dl-coop#/);
    const { reply } = await press(id, source!.callback_data);
    expect(String(reply.body.text)).toContain(html('《上海市與大連市對口合作實施方案》三（一）'));
  });
});

describe('knowledge buttons through Slack block_actions', () => {
  const SECRET = 'slack-signing-secret';
  let slack: FakeSlack;
  let bot: SlackBot;
  let url: string;
  let k: Knowledge;

  beforeAll(async () => {
    slack = await startFakeSlack();
    const clock = new ManualClock(NOW);
    const app = await knowledgeApp(clock);
    k = app.knowledge;
    bot = await startSlackBot({ slack, router: app.router, services: app.services, signingSecret: SECRET, clock: { now: () => Date.now() } });
    url = bot.url;
  });
  afterAll(async () => {
    await bot.close();
    await slack.close();
  });

  it('a /xiezuo question carries the buttons; pressing 全文 posts the whole clause', async () => {
    const res = await postSigned(url, slashCommandBody({ text: QUESTION, channel: 'C7', responseUrl: slack.responseUrl() }), SECRET);
    expect(res.status).toBe(200);
    const post = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C7');
    const buttons = (post.body.blocks as any[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements);
    const full = buttons.find((b) => b.value === CUT_CLAUSE);
    expect(full?.text.text).toBe('全文：一（一）');
    expect(buttons.map((b) => b.value)).toContain(`3|${QUESTION}`);

    const press = await postSigned(
      url,
      blockActionsBody({ actionId: full.action_id, value: full.value, channel: 'C7', messageTs: post.body.ts ?? '1.1', responseUrl: slack.responseUrl() }),
      SECRET,
    );
    expect(press.status).toBe(200);
    const clause = k.clause(CUT_CLAUSE)!;
    const answer = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C7' && String(c.body.text).includes('条款全文'));
    expect(String(answer.body.text)).toContain(clause.text.slice(-40));
    expect(JSON.stringify(answer.body.blocks)).toContain('《上海市服务全国和对口帮扶“十一五”规划》一（一）');
  });

  it('pressing 更多结果 posts the next page', async () => {
    await postSigned(url, slashCommandBody({ text: QUESTION, channel: 'C8', responseUrl: slack.responseUrl() }), SECRET);
    const post = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C8');
    const more = (post.body.blocks as any[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements).find((b) => b.text.text === msg.knowledge.moreButton);
    await postSigned(url, blockActionsBody({ actionId: more.action_id, value: more.value, channel: 'C8', responseUrl: slack.responseUrl() }), SECRET);
    const page = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C8' && String(c.body.text).includes('更多相关条款'));
    expect(String(page.body.text)).toContain('第 4—6 条');
  });
});
