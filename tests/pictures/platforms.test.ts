/**
 * Pictures reach both platforms natively, end to end with the real /pair command and seeds:
 * Telegram gets sendPhoto with a caption (≤ 1,024 characters), Slack a files.uploadV2 upload
 * with the text equivalent as its comment; the 关系图 button under a pairing answer brings the
 * map too; the console chat saves the PNG and prints its path.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { msg } from '../../src/i18n/index.ts';
import { Pictures } from '../../src/pictures/pictures.ts';
import { ConsoleChat } from '../../src/platforms/console.ts';
import type { TelegramAdapter } from '../../src/platforms/telegram/adapter.ts';
import { MemoryCallbackStore } from '../../src/platforms/telegram/callbacks.ts';
import { TelegramSender, createTelegramApi } from '../../src/platforms/telegram/sender.ts';
import { SlackSender, createSlackClient } from '../../src/platforms/slack/sender.ts';
import { pairMapPicture } from '../../src/pictures/pair-map.ts';
import type { Reply } from '../../src/messages.ts';
import { type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from '../support/fake-slack.ts';
import { type SlackBot, startSlackBot } from '../support/slack-bot.ts';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.ts';
import { startTelegramBot } from '../support/telegram-bot.ts';
import { knowledgeApp } from '../platforms/fixture.ts';
import { decodePng } from './png.ts';
import { NOW } from './fixture.ts';

const T = msg.pictures;
const PNG_MAGIC = '\x89PNG';
let pictures: Pictures;

beforeAll(() => {
  pictures = new Pictures();
});
afterAll(() => pictures.close());

async function app() {
  const a = await knowledgeApp(new ManualClock(NOW));
  (a.services as { pictures?: Pictures }).pictures = pictures;
  return a;
}

describe('pictures on Telegram', () => {
  let tg: FakeTelegram;
  let adapter: TelegramAdapter;
  let chat = 900;
  beforeAll(async () => {
    tg = await startFakeTelegram();
    const a = await app();
    adapter = await startTelegramBot({ tg, router: a.router, services: a.services });
  });
  afterAll(async () => {
    await adapter.stop();
    await tg.close();
  });

  it('/pair 上海 图 sends the map with sendPhoto, its text equivalent as the caption', async () => {
    const id = ++chat;
    tg.pushUpdate(tg.privateText(id, '/pair 上海 图'));
    const photo = await tg.waitForCall('sendPhoto', (c) => String(c.body.chat_id) === String(id), 20_000);
    expect(photo.body.multipart).toBe(true);
    const caption = String(photo.body.caption);
    expect(caption.length).toBeLessThanOrEqual(1024);
    expect(caption).toContain(T.mapAltHead('上海市', 31));
    expect(caption).toContain('上海市 — 遵义市：东西部协作，已移交');
    const part = String(photo.body.photo).replace(/^attach:\/\//, '');
    expect(photo.body[part]).toMatchObject({ filename: 'pair-map-shanghai.png' });
    expect(photo.body[part].content.startsWith('\uFFFDPNG')).toBe(true);
  });

  it('a pairing answer carries 关系图; pressing it sends the map', async () => {
    const id = ++chat;
    tg.pushUpdate(tg.privateText(id, '/pair 大连'));
    const answer = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === String(id) && c.body.reply_markup !== undefined);
    const keys = (answer.body.reply_markup.inline_keyboard as { text: string; callback_data: string }[][]).flat();
    const map = keys.find((b) => b.text === T.mapButton)!;
    expect(map.callback_data).toBe('pair.map|dalian');
    tg.pushUpdate(tg.callbackQuery(id, id, 1, map.callback_data));
    const photo = await tg.waitForCall('sendPhoto', (c) => String(c.body.chat_id) === String(id), 20_000);
    expect(String(photo.body.caption)).toContain(T.mapAltHead('大连市', 6));
  });

  it('a picture beside a text report follows it; a picture that is the whole answer goes alone', async () => {
    const sender = new TelegramSender(createTelegramApi('123:TEST', tg.apiRoot), new MemoryCallbackStore());
    const png = (await pictures.attach({ blocks: [] }, pairMapPicture((await knowledgeApp(new ManualClock(NOW))).knowledge, ['dalian'], NOW))).image!;
    // Beside a text report: the text as before, buttons on it, then the photo captioned with its own words.
    const report: Reply = { title: '送达情况', blocks: [{ text: '已送达 2/3' }], buttons: [[{ label: '刷新', action: 'x.y', value: '1' }]], image: png };
    const mark = tg.calls.length;
    const first = await sender.send({ platform: 'telegram', chatId: '4141' }, report);
    const seq = tg.calls.slice(mark).filter((c) => c.body.chat_id === '4141');
    expect(seq.map((c) => c.method)).toEqual(['sendMessage', 'sendPhoto']);
    expect(seq[0]!.body.reply_markup.inline_keyboard[0][0].text).toBe('刷新');
    expect(String(seq[1]!.body.caption)).toBe(png.alt);
    // Later edits target the text message (the photo came after it).
    expect(first.messageId).toBe('101');

    // A reply that is the picture's words: one photo, the text as its caption and the buttons on it.
    const reply: Reply = { title: '送达情况', blocks: [{ text: '已送达 2/3' }], buttons: [[{ label: '刷新', action: 'x.y', value: '1' }]], image: { ...png, standalone: true } };
    const sent = await sender.send({ platform: 'telegram', chatId: '4242' }, reply);
    const photo = tg.delivered('sendPhoto').at(-1)!;
    expect(photo.body).toMatchObject({ chat_id: '4242', parse_mode: 'HTML' });
    expect(String(photo.body.caption)).toContain('已送达 2/3');
    expect(JSON.parse(photo.body.reply_markup).inline_keyboard[0][0].text).toBe('刷新');
    expect(tg.callsTo('sendMessage').filter((c) => c.body.chat_id === '4242')).toHaveLength(0);
    expect(sent.messageId).toMatch(/^\d+$/);

    // Longer than a caption: the photo captioned with the picture's words (cut to 1,024), then the text in full.
    const long: Reply = { title: '很长', blocks: [{ text: '条款'.repeat(800) }], image: { ...png, alt: '图'.repeat(1500), standalone: true } };
    const before = tg.calls.length;
    await sender.send({ platform: 'telegram', chatId: '4343' }, long);
    const calls = tg.calls.slice(before).filter((c) => c.body.chat_id === '4343');
    expect(calls.map((c) => c.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(String(calls[0]!.body.caption)).toHaveLength(1024);
    expect(calls[0]!.body.parse_mode).toBeUndefined();
    expect(String(calls[1]!.body.text)).toContain('条款'.repeat(800));
  });
});

describe('pictures on Slack', () => {
  const SECRET = 'slack-signing-secret';
  let slack: FakeSlack;
  let bot: SlackBot;
  beforeAll(async () => {
    slack = await startFakeSlack();
    const a = await app();
    bot = await startSlackBot({ slack, router: a.router, services: a.services, signingSecret: SECRET, clock: { now: () => Date.now() } });
  });
  afterAll(async () => {
    await bot.close();
    await slack.close();
  });

  it('/xiezuo pair 上海 图 uploads the PNG with files.uploadV2, its words as the comment', async () => {
    const res = await postSigned(bot.url, slashCommandBody({ text: 'pair 上海 图', channel: 'C31', responseUrl: slack.responseUrl() }), SECRET);
    expect(res.status).toBe(200);
    const done = await slack.waitForCall('files.completeUploadExternal', (c) => c.body.channel_id === 'C31' && c.status === 200, 20_000);
    expect(String(done.body.initial_comment)).toContain(T.mapAltHead('上海市', 31));
    const [entry] = done.body.files as Array<{ id: string }>;
    const file = slack.files().find((f) => f.id === entry!.id)!;
    expect(file).toMatchObject({ filename: 'pair-map-shanghai.png', completed: true, channel: 'C31' });
    expect(file.bytes!.subarray(0, 4).toString('latin1')).toBe(PNG_MAGIC);
    expect(decodePng(file.bytes!).width).toBe(1280);
    // The map's words are the whole answer: they ride as the upload's comment, not twice.
    expect(String(done.body.initial_comment)).toContain('上海市 — 遵义市：东西部协作，已移交');
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C31')).toHaveLength(0);
  });

  it('a picture beside a text report is uploaded after the messages; a failed upload leaves the text', async () => {
    const sender = new SlackSender(createSlackClient('xoxb-test', slack.apiUrl));
    const k = (await knowledgeApp(new ManualClock(NOW))).knowledge;
    const image = (await pictures.attach({ blocks: [] }, pairMapPicture(k, ['dalian'], NOW))).image!;
    await sender.send({ platform: 'slack', chatId: 'C32' }, { title: '送达情况', blocks: [{ text: '已送达 2/3' }], image });
    const done = await slack.waitForCall('files.completeUploadExternal', (c) => c.body.channel_id === 'C32' && c.status === 200);
    expect(done.body.initial_comment).toBe(image.alt);
    const post = slack.delivered('chat.postMessage').find((c) => c.body.channel === 'C32')!;
    expect(post.at).toBeLessThanOrEqual(done.at);

    slack.fail({ method: 'files.getUploadURLExternal', status: 'error', error: 'missing_scope', times: 1 });
    await sender.send({ platform: 'slack', chatId: 'C33' }, { title: '关系图', blocks: [{ text: image.alt }], image: { ...image, standalone: true } });
    const text = slack.delivered('chat.postMessage').find((c) => c.body.channel === 'C33')!;
    expect(JSON.stringify(text.body.blocks)).toContain('大连市');
  });
});

describe('pictures in the console chat', () => {
  it('saves the PNG and prints its path after the text', async () => {
    const a = await app();
    const dir = mkdtempSync(join(tmpdir(), 'xz-pictures-'));
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    output.on('data', (d: Buffer) => (out += d.toString()));
    const chat = new ConsoleChat({ router: a.router, services: a.services, input, output, pictureDir: dir });
    const done = chat.start();
    input.end('/pair 大连 图\n');
    await done;
    const m = /图片已保存：(\S+\.png)/.exec(out);
    expect(m).not.toBeNull();
    expect(m![1]!.startsWith(dir)).toBe(true);
    expect(existsSync(m![1]!)).toBe(true);
    expect(readFileSync(m![1]!).subarray(0, 4).toString('latin1')).toBe(PNG_MAGIC);
    expect(out).toContain(T.mapAltHead('大连市', 6));
  });
});
