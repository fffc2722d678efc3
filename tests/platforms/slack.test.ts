/**
 * The Slack adapter with real Bolt (HTTP mode on our server) against the local Web API
 * stand-in: signed slash commands, events and block_actions in; chat.postMessage and
 * response_url out; unsigned or stale requests refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { msg } from '../../src/i18n/index.ts';
import { commandText, stripMentions } from '../../src/platforms/slack/adapter.ts';
import { actionId } from '../../src/platforms/slack/render.ts';
import { verifySlackSignature, slackSignature } from '../../src/platforms/slack/verify.ts';
import {
  type FakeSlack,
  FAKE_BOT_USER,
  blockActionsBody,
  eventBody,
  postSigned,
  slashCommandBody,
  startFakeSlack,
} from '../support/fake-slack.ts';
import { type SlackBot, startSlackBot } from '../support/slack-bot.ts';
import { fixtureApp } from './fixture.ts';

const SECRET = 'slack-signing-secret';
const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

describe('slack request verification (pure)', () => {
  const body = 'token=x&text=pair+%E5%A4%A7%E8%BF%9E';
  const now = 1_763_000_000_000;
  const ts = String(now / 1000);
  it('accepts a correct signature within five minutes and refuses the rest', () => {
    const sig = slackSignature(SECRET, ts, body);
    expect(verifySlackSignature({ signingSecret: SECRET, body, signature: sig, timestamp: ts, nowMs: now + 299_000 })).toBeUndefined();
    expect(verifySlackSignature({ signingSecret: SECRET, body, signature: sig, timestamp: ts, nowMs: now + 301_000 })).toBe('stale_timestamp');
    expect(verifySlackSignature({ signingSecret: SECRET, body: `${body}x`, signature: sig, timestamp: ts, nowMs: now })).toBe('bad_signature');
    expect(verifySlackSignature({ signingSecret: 'other', body, signature: sig, timestamp: ts, nowMs: now })).toBe('bad_signature');
    expect(verifySlackSignature({ signingSecret: SECRET, body, signature: undefined, timestamp: ts, nowMs: now })).toBe('missing_headers');
  });

  it('maps typed text to router text', () => {
    const knows = (n: string) => ['pair', 'help'].includes(n);
    expect(commandText('pair 大连', knows)).toBe('/pair 大连');
    expect(commandText('  ', knows)).toBe('/help');
    expect(commandText('大连和谁结对？', knows)).toBe('大连和谁结对？');
    expect(commandText('/pair 大连', knows)).toBe('/pair 大连');
    expect(stripMentions(`<@${FAKE_BOT_USER}> pair 大连`, FAKE_BOT_USER)).toBe('pair 大连');
  });
});

describe('slack adapter, HTTP mode', () => {
  let slack: FakeSlack;
  let bot: SlackBot;
  let url: string;
  const clock = new ManualClock();

  beforeAll(async () => {
    slack = await startFakeSlack();
    const { router, services } = fixtureApp();
    bot = await startSlackBot({ slack, router, services, signingSecret: SECRET, clock });
    url = bot.url;
  });
  afterAll(async () => {
    await bot.close();
    await slack.close();
  });

  const nowS = () => Math.floor(clock.now() / 1000);

  it('starts with auth.test against SLACK_API_URL', () => {
    expect(slack.callsTo('auth.test').length).toBeGreaterThan(0);
    expect(slack.callsTo('auth.test')[0]!.headers.authorization).toBe('Bearer xoxb-test');
    expect(bot.adapter.health()).toEqual({ ok: true, state: 'http' });
  });

  it('answers a signed /xiezuo command via chat.postMessage with Block Kit and a text fallback', async () => {
    const res = await postSigned(url, slashCommandBody({ text: 'echo 大连', channel: 'C100', responseUrl: slack.responseUrl() }), SECRET, { timestamp: nowS() });
    expect(res.status).toBe(200);
    const post = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C100');
    expect(post.headers.authorization).toBe('Bearer xoxb-test');
    expect(post.body.text).toContain('你说：大连');
    const blocks = post.body.blocks as Array<Record<string, any>>;
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '回声' } });
    expect(blocks[1]!.text.text).toContain('你说：大连 &lt;b&gt;&amp;&lt;/b&gt;');
    expect(blocks[2]).toMatchObject({ type: 'context' });
    const actions = blocks.filter((b) => b.type === 'actions');
    expect(actions[0]!.elements[0]).toMatchObject({ type: 'button', action_id: actionId('echo.again', 0, 0), value: '大连' });
  });

  it('falls back to response_url where the bot may not post', async () => {
    slack.fail({ method: 'chat.postMessage', channel: 'C200', status: 'error', error: 'not_in_channel' });
    const responseUrl = slack.responseUrl();
    const res = await postSigned(url, slashCommandBody({ text: 'echo 无锡', channel: 'C200', responseUrl }), SECRET, { timestamp: nowS() });
    expect(res.status).toBe(200);
    const r = await slack.waitForCall('response_url', (c) => String(c.body.text).includes('你说：无锡'));
    expect(r.body.response_type).toBe('in_channel');
  });

  it('answers an app_mention in its thread, and a direct message', async () => {
    const mention = eventBody({ type: 'app_mention', user: 'U5', text: `<@${FAKE_BOT_USER}> 大连和谁结对？`, ts: '1700000001.000200', channel: 'C300', thread_ts: '1700000000.000100' });
    expect((await postSigned(url, mention, SECRET, { timestamp: nowS() })).status).toBe(200);
    const a = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C300');
    expect(a.body.text).toContain('问：大连和谁结对？');
    expect(a.body.thread_ts).toBe('1700000000.000100');

    const dm = eventBody({ type: 'message', channel_type: 'im', user: 'U5', text: 'echo 私聊', ts: '1700000002.000300', channel: 'D400' });
    expect((await postSigned(url, dm, SECRET, { timestamp: nowS() })).status).toBe(200);
    const d = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'D400');
    expect(d.body.text).toContain('你说：私聊');

    // Our own post echoed back as a DM event, and channel chatter: no answer.
    const own = eventBody({ type: 'message', channel_type: 'im', subtype: 'bot_message', bot_id: 'BBOT', text: 'x', ts: '1700000003.000400', channel: 'D401' });
    const chatter = eventBody({ type: 'message', channel_type: 'channel', user: 'U5', text: '闲聊', ts: '1700000004.000500', channel: 'C402' });
    await postSigned(url, own, SECRET, { timestamp: nowS() });
    await postSigned(url, chatter, SECRET, { timestamp: nowS() });
    await settle();
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'D401' || c.body.channel === 'C402')).toHaveLength(0);
  });

  it('routes block_actions to the command action: ephemeral toast and an edit through response_url', async () => {
    const responseUrl = slack.responseUrl();
    const res = await postSigned(url, blockActionsBody({ actionId: actionId('echo.again', 0, 0), value: '大连', channel: 'C100', responseUrl }), SECRET, { timestamp: nowS() });
    expect(res.status).toBe(200);
    const toast = await slack.waitForCall('response_url', (c) => c.body.response_type === 'ephemeral' && String(c.body.text).includes('已收到：大连'));
    expect(toast.body.replace_original).toBe(false);
    const edit = await slack.waitForCall('response_url', (c) => c.body.replace_original === true);
    expect(edit.body.text).toContain('再说一遍：大连');
  });

  it('answers a button it does not know (old message) with the stale notice', async () => {
    const responseUrl = slack.responseUrl();
    await postSigned(url, blockActionsBody({ actionId: 'legacy_button', value: 'x', responseUrl }), SECRET, { timestamp: nowS() });
    const r = await slack.waitForCall('response_url', (c) => c.body.text === msg.common.staleButton);
    expect(r.body.response_type).toBe('ephemeral');
  });

  it('answers a 10,000-character command briefly', async () => {
    await postSigned(url, slashCommandBody({ text: `echo ${'x'.repeat(10_000)}`, channel: 'C500', responseUrl: slack.responseUrl() }), SECRET, { timestamp: nowS() });
    const post = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C500');
    expect(post.body.text).toContain('消息太长');
  });

  it('refuses a bad signature or a stale timestamp with 401 and answers nothing', async () => {
    const before = slack.calls.length;
    const body = slashCommandBody({ text: 'echo 不该回答', channel: 'C600', responseUrl: slack.responseUrl() });
    const bad = await postSigned(url, body, SECRET, { timestamp: nowS(), signWith: 'wrong-secret' });
    expect(bad.status).toBe(401);
    const stale = await postSigned(url, body, SECRET, { timestamp: nowS() - 6 * 60 });
    expect(stale.status).toBe(401);
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': body.contentType }, body: body.body });
    expect(unsigned.status).toBe(401);
    await settle();
    expect(slack.calls.length).toBe(before);
  });

  it('answers the URL verification handshake', async () => {
    const body = { body: JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' }), contentType: 'application/json' };
    const res = await postSigned(url, body, SECRET, { timestamp: nowS() });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ challenge: 'abc123' });
  });
});
