/**
 * The Slack adapter in Socket Mode (SLACK_APP_TOKEN set) with real Bolt and @slack/socket-mode:
 * apps.connections.open on the Web API stand-in hands out a ws:// URL on the same server, whose
 * WebSocket side (tests/support/fake-slack-socket.ts) says hello, then delivers envelopes the way
 * Slack does; the bot must ack each by envelope_id and answer through the Web API.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { SlackAdapter } from '../../src/platforms/slack/adapter.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import type { SocketPeer } from '../support/fake-slack-socket.ts';
import { knowledgeApp } from './fixture.ts';

const APP_TOKEN = 'xapp-1-A1-test';

describe('slack adapter, Socket Mode', () => {
  let slack: FakeSlack;
  let adapter: SlackAdapter;
  let peer: SocketPeer;

  beforeAll(async () => {
    slack = await startFakeSlack();
    const app = await knowledgeApp(new ManualClock(Date.UTC(2026, 10, 23, 4)));
    adapter = new SlackAdapter({
      botToken: 'xoxb-test',
      appToken: APP_TOKEN,
      apiUrl: slack.apiUrl,
      router: app.router,
      services: app.services,
      log: createLogger('silent'),
    });
    // start() resolves only once the server's hello has arrived over the WebSocket.
    await adapter.start();
    peer = await slack.socket.waitForPeer();
  });
  afterAll(async () => {
    await adapter?.stop();
    await slack?.close();
  });

  it('opens the connection with the app-level token and is healthy once Slack says hello', () => {
    const open = slack.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(peer.path).toBe('/socket/1');
    expect(adapter.health()).toEqual({ ok: true, state: 'socket' });
    // Bolt's init and the adapter both check the bot token; nothing else is called before a message.
    expect([...new Set(slack.calls.map((c) => c.method))].sort()).toEqual(['apps.connections.open', 'auth.test']);
  });

  it('acks a slash_commands envelope by its envelope_id and answers /xiezuo pair 大连 naming 上海', async () => {
    peer.sendJson({
      envelope_id: 'env-pair-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'deprecated',
        team_id: 'T1',
        team_domain: 't1',
        channel_id: 'C5',
        channel_name: 'hulian',
        user_id: 'U1',
        user_name: 'official',
        command: '/xiezuo',
        text: 'pair 大连',
        api_app_id: 'A1',
        is_enterprise_install: 'false',
        response_url: slack.responseUrl(),
        trigger_id: '1.2.3',
      },
    });
    const ack = await slack.socket.waitForMessage((m) => m?.envelope_id === 'env-pair-1');
    expect(ack).toEqual({ envelope_id: 'env-pair-1', payload: {} });
    const post = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C5');
    expect(String(post.body.text)).toContain('上海');
    expect(String(post.body.text)).toContain('规划期已结束（2017—2020）');
    expect(post.headers.authorization).toBe('Bearer xoxb-test');
  });

  it('acks an interactive (block_actions) envelope and answers the button press', async () => {
    const post = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C5');
    const button = (post.body.blocks as any[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements)[0];
    expect(button.value).toMatch(/^sh-dl-coop#|^sh-fyp14#|^ln-js-coop#/);
    peer.sendJson({
      envelope_id: 'env-press-1',
      type: 'interactive',
      accepts_response_payload: false,
      payload: {
        type: 'block_actions',
        user: { id: 'U1', username: 'official', name: 'official', team_id: 'T1' },
        api_app_id: 'A1',
        token: 'deprecated',
        container: { type: 'message', message_ts: post.body.ts ?? '1.1', channel_id: 'C5', is_ephemeral: false },
        trigger_id: '1.2.4',
        team: { id: 'T1', domain: 't1' },
        channel: { id: 'C5', name: 'hulian' },
        message: { type: 'message', ts: '1700000000.000200', bot_id: 'BBOT', text: '…' },
        response_url: slack.responseUrl(),
        actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', text: button.text, value: button.value, action_ts: '1700000001.0' }],
      },
    });
    const ack = await slack.socket.waitForMessage((m) => m?.envelope_id === 'env-press-1');
    expect(ack.payload).toEqual({});
    const full = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C5' && String(c.body.text).includes('条款全文'));
    expect(String(full.body.text)).toContain('——《');
  });

  it('ignores a non-JSON frame and keeps serving', async () => {
    peer.sendText('not json');
    peer.sendJson({
      envelope_id: 'env-help-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: { team_id: 'T1', channel_id: 'C6', user_id: 'U1', user_name: 'official', command: '/xiezuo', text: '', response_url: slack.responseUrl(), trigger_id: '1' },
    });
    await slack.socket.waitForMessage((m) => m?.envelope_id === 'env-help-1');
    const help = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C6');
    // Slack form of the hint.
    expect(String(help.body.text)).toContain('/xiezuo pair');
  });

  it('answers the client heartbeat pings with pongs, so the session stays up', async () => {
    // undici pings every clientPingTimeout / 3 (≈1.7 s) and drops the connection after three
    // unanswered; it reports each pong it receives on this diagnostics channel (as Socket Mode reads it).
    const pongs: string[] = [];
    const onPong = (m: unknown) => pongs.push(String((m as { payload?: Buffer }).payload ?? ''));
    const channel = diagnostics_channel.channel('undici:websocket:pong');
    channel.subscribe(onPong);
    try {
      await new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const tick = () => (pongs.length >= 1 ? resolve() : Date.now() - started > 5000 ? reject(new Error('no pong')) : setTimeout(tick, 50));
        tick();
      });
    } finally {
      channel.unsubscribe(onPong);
    }
    expect(peer.pings).toBeGreaterThanOrEqual(1);
    expect(pongs[0]).toMatch(/^Ping from client/);
    expect(peer.closed).toBe(false);
    expect(adapter.health()).toEqual({ ok: true, state: 'socket' });
    expect(slack.callsTo('apps.connections.open')).toHaveLength(1);
  });

  it('stops with a clean close handshake', async () => {
    await adapter.stop();
    expect(adapter.health().state).toBe('stopped');
    // The client's close frame was answered; the connection ends promptly.
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = () => (peer.closed ? resolve() : Date.now() - started > 3000 ? reject(new Error('socket not closed')) : setTimeout(tick, 20));
      tick();
    });
  });
});
