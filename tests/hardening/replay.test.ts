/**
 * Issue 11 #4: a replayed inbound runs once. Real grammy (webhook mode) and real Bolt (HTTP mode)
 * on our HTTP server, their Bot/Web API stand-ins, and a private redis-server shared by two
 * adapters as two processes would share it.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { ReplayGuard } from '../../src/platforms/replay.ts';
import type { Services } from '../../src/services.ts';
import { fixtureApp } from '../platforms/fixture.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.ts';
import { type FakeSlack, eventBody, slackHeaders, slashCommandBody, startFakeSlack, FAKE_BOT_USER } from '../support/fake-slack.ts';
import { type SlackBot, startSlackBot } from '../support/slack-bot.ts';
import { type TelegramWebhookBot, startTelegramWebhookBot } from '../support/telegram-bot.ts';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.dispose();
});

/** The fixture router with services on the private Redis, under one prefix for both "processes". */
function app(prefix: string) {
  const { router, services } = fixtureApp();
  return { router, services: { ...services, redis, config: loadConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: prefix }) } as unknown as Services };
}

describe('Telegram webhook: the same update_id twice', () => {
  let tg: FakeTelegram;
  const bots: TelegramWebhookBot[] = [];
  const secret = 'replay_secret';

  beforeAll(async () => {
    tg = await startFakeTelegram();
    for (let i = 0; i < 2; i++) bots.push(await startTelegramWebhookBot({ tg, ...app('replaytg'), secret }));
  });
  afterAll(async () => {
    for (const b of bots) await b.close();
    await tg.close();
  });

  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(body) });
  const answersTo = (chat: number) => tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === String(chat));
  const BARRIER = '屏障';
  /**
   * A fresh update to the chat on every process, answered: each process handles one chat's
   * updates in order, so a duplicate it had let through would have been answered by then.
   * (In place of a fixed sleep, which a slow machine could outlast.)
   */
  const barrier = async (chat: number, firstId: number) => {
    for (const [i, b] of bots.entries()) await post(b.url, { update_id: firstId + i, ...tg.privateText(chat, `/echo ${BARRIER}${i}`) });
    await tg.waitForCall('sendMessage', () => answersTo(chat).filter((c) => String(c.body.text).includes(BARRIER)).length === bots.length);
  };
  const repliesTo = (chat: number) => answersTo(chat).filter((c) => !String(c.body.text).includes(BARRIER));

  it('is answered once, whether posted again to the same process or to another one', async () => {
    const update = { update_id: 9001, ...tg.privateText(801, '/echo 一次') };
    expect((await post(bots[0]!.url, update)).status).toBe(200);
    await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '801');
    expect((await post(bots[0]!.url, update)).status).toBe(200);
    expect((await post(bots[1]!.url, update)).status).toBe(200);
    await barrier(801, 9101);
    expect(repliesTo(801)).toHaveLength(1);
  });

  it('a new update_id with the same text is answered again', async () => {
    await post(bots[1]!.url, { update_id: 9002, ...tg.privateText(802, '/echo 甲') });
    await post(bots[0]!.url, { update_id: 9003, ...tg.privateText(802, '/echo 甲') });
    await tg.waitForCall('sendMessage', () => answersTo(802).length === 2);
    expect(answersTo(802)).toHaveLength(2);
  });

  it('two updates posted at the same moment to two processes: one answer', async () => {
    const update = { update_id: 9004, ...tg.privateText(803, '/echo 并发') };
    await Promise.all([post(bots[0]!.url, update), post(bots[1]!.url, update)]);
    await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '803');
    await barrier(803, 9111);
    expect(repliesTo(803)).toHaveLength(1);
  });
});

/** The replay guard on the shared Redis, keeping each answer it gave: first sight, or a replay. */
class RecordingReplayGuard extends ReplayGuard {
  readonly answers: { id: string; first: boolean }[] = [];
  override async first(id: string): Promise<boolean> {
    const first = await super.first(id);
    this.answers.push({ id, first });
    return first;
  }
}

describe('Slack HTTP: retried event_id and byte-identical signed requests', () => {
  let slack: FakeSlack;
  const bots: SlackBot[] = [];
  const SECRET = 'replay-signing-secret';
  const PREFIX = 'replayslack';
  let replay: RecordingReplayGuard;

  beforeAll(async () => {
    slack = await startFakeSlack();
    // What each process would build on the shared Redis and prefix (replayGuardOf), recording.
    replay = new RecordingReplayGuard(redis, PREFIX, createLogger('silent'));
    for (let i = 0; i < 2; i++) {
      const { router, services } = app(PREFIX);
      bots.push(await startSlackBot({ slack, router, services, signingSecret: SECRET, replay }));
    }
  });
  afterAll(async () => {
    for (const b of bots) await b.close();
    await slack.close();
  });

  const BARRIER = '屏障';
  const posts = (channel: string) =>
    slack.callsTo('chat.postMessage').filter((c) => c.body.channel === channel && !String(c.body.text ?? '').includes(BARRIER));
  /**
   * A fresh mention to the channel on every process, answered: in place of a fixed sleep after the
   * duplicates. Only for events: they are queued per channel (src/platforms/chat-queue.ts), so a
   * duplicate let through would have been answered before these. Slash commands are not queued.
   */
  const barrier = async (channel: string) => {
    const all = () => slack.callsTo('chat.postMessage').filter((c) => c.body.channel === channel && String(c.body.text ?? '').includes(BARRIER));
    const before = all().length;
    for (const [i, b] of bots.entries()) {
      const ev = eventBody({ type: 'app_mention', user: 'U5', text: `<@${FAKE_BOT_USER}> echo ${BARRIER}${i}`, ts: `17000009${i}0.000100`, channel });
      await send(b.url, ev, slackHeaders(ev.body, SECRET, ev.contentType));
    }
    await slack.waitForCall('chat.postMessage', () => all().length === before + bots.length);
  };
  const send = (url: string, req: { body: string; contentType: string }, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers, body: req.body }).then((r) => r.status);

  it('an event retried with the same event_id (x-slack-retry-num: 1), to either process, is answered once', async () => {
    const ev = eventBody({ type: 'app_mention', user: 'U5', text: `<@${FAKE_BOT_USER}> echo 事件`, ts: '1700000001.000200', channel: 'C900' });
    expect(await send(bots[0]!.url, ev, slackHeaders(ev.body, SECRET, ev.contentType))).toBe(200);
    await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C900');
    // Slack signs the retry afresh (a later timestamp): only the event_id ties it to the first.
    const later = Math.floor(Date.now() / 1000) + 1;
    const retry = { ...slackHeaders(ev.body, SECRET, ev.contentType, { timestamp: later }), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
    expect(await send(bots[0]!.url, ev, retry)).toBe(200);
    expect(await send(bots[1]!.url, ev, retry)).toBe(200);
    await barrier('C900');
    expect(posts('C900')).toHaveLength(1);
  });

  it('a byte-identical signed slash command sent twice runs once; the same text signed anew runs again', async () => {
    const cmd = slashCommandBody({ text: 'echo 命令', channel: 'C901', responseUrl: slack.responseUrl() });
    const headers = slackHeaders(cmd.body, SECRET, cmd.contentType);
    expect(await send(bots[0]!.url, cmd, headers)).toBe(200);
    await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C901');
    expect(await send(bots[1]!.url, cmd, headers)).toBe(200);
    expect(await send(bots[0]!.url, cmd, headers)).toBe(200);
    // Slash commands skip the channel queue, so no later answer would follow a duplicate's. But a
    // request is checked against the replay record in Redis before its HTTP answer: by now both
    // copies were told they are replays, and a replay is dropped before any handling.
    expect(replay.answers.filter((a) => a.id.endsWith(headers['x-slack-signature']!)).map((a) => a.first)).toEqual([true, false, false]);
    expect(posts('C901')).toHaveLength(1);
    const again = slashCommandBody({ text: 'echo 命令', channel: 'C901', responseUrl: slack.responseUrl() });
    expect(await send(bots[1]!.url, again, slackHeaders(again.body, SECRET, again.contentType))).toBe(200);
    await slack.waitForCall('chat.postMessage', () => posts('C901').length === 2);
  });

  it('one channel’s mentions, posted in turn to the two processes and acknowledged at once, are answered in order', async () => {
    // The first answer meets a 429 and waits a second: without the order kept, the others would pass it.
    slack.fail({ method: 'chat.postMessage', channel: 'C902', status: 429, retryAfter: 1, times: 1 });
    const answered = () => slack.delivered('chat.postMessage').filter((c) => c.body.channel === 'C902');
    for (let i = 0; i < 8; i++) {
      const ev = eventBody({ type: 'app_mention', user: 'U5', text: `<@${FAKE_BOT_USER}> echo 第${i}条`, ts: `17000010${i}0.000100`, channel: 'C902' });
      expect(await send(bots[i % 2]!.url, ev, slackHeaders(ev.body, SECRET, ev.contentType))).toBe(200);
    }
    await slack.waitForCall('chat.postMessage', () => answered().length === 8);
    expect(answered().map((c) => /第(\d)条/.exec(JSON.stringify(c.body))?.[1])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });
});
