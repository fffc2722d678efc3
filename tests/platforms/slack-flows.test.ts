/**
 * The button flows of broadcasts, alerts and meetings on Slack, end to end: signed slash commands
 * and block_actions go into real Bolt (HTTP mode on our server), the router and services run
 * against a private redis-server, real BullMQ workers deliver through the Slack adapter's own
 * Sender, and what comes out is read from the Web API stand-in (chat.postMessage, chat.update,
 * response_url). The Telegram side of the same flows is in tests/delivery, tests/alerts and
 * tests/meetings telegram.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/alerts/store.ts';
import { type SlackCall, blockActionsBody, postSigned, slashCommandBody } from '../support/fake-slack.ts';
import { SLACK_SECRET, makeGroup, shanghai, until, useSlackHarness } from '../meetings/harness.ts';

const COORDINATOR = 'UCOORD';
const EMERGENCY = 'UEMERG';

const { h, slack, bot } = useSlackHarness();

beforeAll(async () => {
  await h.app.services.roles.grant(`slack:${COORDINATOR}`, 'coordinator');
  await h.app.services.roles.grant(`slack:${EMERGENCY}`, 'emergency');
});

afterAll(async () => {
  await h.app?.services.alerts.idle();
});

const textOf = (c: SlackCall) => String(c.body.text ?? '');
/** The fallback text and every block, as a reader of the message sees them. */
const shown = (c: SlackCall) => `${textOf(c)}\n${JSON.stringify(c.body.blocks ?? [])}`;
const inChannel = (channel: string) => (c: SlackCall) => c.body.channel === channel;
const buttonsOf = (c: SlackCall): Array<{ action_id: string; value: string; text: { text: string } }> =>
  ((c.body.blocks ?? []) as Array<Record<string, any>>).filter((b) => b.type === 'actions').flatMap((b) => b.elements);
const slash = (text: string, channel: string, user: string) =>
  postSigned(bot.url, slashCommandBody({ text, channel, user, responseUrl: slack.responseUrl() }), SLACK_SECRET);
const press = (b: { action_id: string; value: string }, channel: string, user: string, messageTs: string, responseUrl = slack.responseUrl()) =>
  postSigned(bot.url, blockActionsBody({ actionId: b.action_id, value: b.value, channel, user, messageTs, responseUrl }), SLACK_SECRET);

/**
 * The ts the stand-in answered a chat.postMessage with (`<unix s>.<n>`, n counting its
 * successful posts); its calls record the request, not the answer.
 */
const postedTs = (c: SlackCall) => `${Math.floor(c.at / 1000)}.${String(slack.delivered('chat.postMessage').indexOf(c) + 1).padStart(6, '0')}`;

describe('broadcast on Slack', () => {
  const CHANNELS = ['C2001', 'C2002', 'C2003', 'C2004'];
  const TEXT = '请于12月10日9:30参加沪连对口合作联席会议。';

  it('preview with 确认发送; pressing it delivers to every channel once and ends in the report', async () => {
    await makeGroup(
      h,
      '沪连联席会议',
      CHANNELS.map((chatId) => ({ platform: 'slack', chatId })),
    );
    expect((await slash(`broadcast 沪连联席会议 ${TEXT}`, 'C2000', COORDINATOR)).status).toBe(200);
    const preview = await slack.waitForCall('chat.postMessage', (c) => inChannel('C2000')(c) && textOf(c).includes('群发预览'));
    expect(textOf(preview)).toContain('4 个聊天');
    const confirm = buttonsOf(preview).find((b) => b.text.text === '确认发送');
    expect(confirm?.action_id).toBe('xz|broadcast.confirm|0.0');
    const id = confirm!.value;
    // Nothing goes out before the press.
    expect(slack.callsTo('chat.postMessage').filter((c) => CHANNELS.includes(c.body.channel))).toHaveLength(0);

    const ts = postedTs(preview);
    const toast = slack.responseUrl();
    expect((await press(confirm!, 'C2000', COORDINATOR, ts, toast)).status).toBe(200);
    await slack.waitForCall('response_url', (c) => c.body.response_type === 'ephemeral' && c.body.text === '确认发送');

    await until(() => CHANNELS.every((ch) => slack.delivered('chat.postMessage').some((c) => inChannel(ch)(c) && textOf(c).includes(TEXT))), 15_000, 'every channel');
    const report = await slack.waitForCall('chat.update', (c) => inChannel('C2000')(c) && textOf(c).includes('群发报告'), 10_000);
    expect(report.body.ts).toBe(ts);
    expect(textOf(report)).toContain('已送达 4/4');
    expect(JSON.stringify(report.body.blocks)).toContain(`群发报告 ${id}`);
    // Every edit went to the preview, and the report is the last word.
    const edits = slack.callsTo('chat.update').filter(inChannel('C2000'));
    expect(edits.every((e) => e.body.ts === ts)).toBe(true);
    expect(textOf(edits.at(-1)!)).toContain('群发报告');

    for (const ch of CHANNELS) expect(slack.delivered('chat.postMessage').filter((c) => inChannel(ch)(c) && textOf(c).includes(TEXT))).toHaveLength(1);
    expect((await h.app.services.broadcasts.get(id))?.status).toBe('done');
    expect((await h.app.services.audit.latest(50)).map((e) => e.action)).toContain('broadcast.confirm');
  });
});

describe('alert on Slack', () => {
  const CHANNELS: Record<string, string> = {
    文山应急: 'C3001',
    上海应急: 'C3002',
    应急领导小组: 'C3003',
    应急协调中心: 'C3004',
    市政府总值班室: 'C3005',
  };

  it('/xiezuo alert reaches the groups; 收到 in one channel is recorded and every card names who', async () => {
    for (const [g, chatId] of Object.entries(CHANNELS)) await makeGroup(h, g, [{ platform: 'slack', chatId }]);
    expect((await slash('alert 文山 地震 II 测试', 'C3000', EMERGENCY)).status).toBe(200);
    const sent = await slack.waitForCall('chat.postMessage', (c) => inChannel('C3000')(c) && /警报 A-\d{8}-\d{2} 已发出/.test(textOf(c)));
    const id = /A-\d{8}-\d{2}/.exec(textOf(sent))![0];

    // Grade II: the stricken region, its partner and leadership at once; the rest only on escalation.
    const cards: Record<string, SlackCall> = {};
    for (const g of ['文山应急', '上海应急', '应急领导小组']) {
      const c = await slack.waitForCall('chat.postMessage', (x) => inChannel(CHANNELS[g]!)(x) && textOf(x).includes(id));
      expect(textOf(c)).toContain('测试');
      expect(buttonsOf(c).map((b) => [b.text.text, b.action_id, b.value])).toEqual([
        ['收到', 'xz|alert.ack|0.0', id],
        ['我来负责', 'xz|alert.own|0.1', id],
      ]);
      cards[g] = c;
    }
    expect(slack.callsTo('chat.postMessage').filter((c) => inChannel(CHANNELS['应急协调中心']!)(c) || inChannel(CHANNELS['市政府总值班室']!)(c))).toHaveLength(0);

    // Each copy's ts comes back through the delivery outcome; the press names the 上海 copy.
    const store = new AlertStore(h.app.services.redis, h.env.REDIS_PREFIX!);
    let msgs: Record<string, string> = {};
    await until(
      async () => {
        msgs = await store.messages(id);
        return Object.keys(msgs).length === 3;
      },
      10_000,
      'message ids recorded',
    );
    for (const g of Object.keys(cards)) expect(msgs[`slack:${CHANNELS[g]}`]).toBe(postedTs(cards[g]!));
    const shTs = msgs[`slack:${CHANNELS['上海应急']}`]!;

    const responseUrl = slack.responseUrl();
    const ack = buttonsOf(cards['上海应急']!)[0]!;
    expect((await press(ack, CHANNELS['上海应急']!, 'U77', shTs, responseUrl)).status).toBe(200);
    const toast = await slack.waitForCall('response_url', (c) => c.body.response_type === 'ephemeral' && textOf(c).includes('上海应急'));
    expect(textOf(toast)).toBe('已记录：上海应急 收到');
    // The pressed copy is replaced through the press's response_url …
    const own = await slack.waitForCall('response_url', (c) => c.body.replace_original === true && textOf(c).includes(id));
    expect(textOf(own)).toMatch(/上海应急：收到（official/);
    // … the other copies through chat.update on their own ts.
    for (const g of ['文山应急', '应急领导小组']) {
      const edit = await slack.waitForCall('chat.update', (c) => inChannel(CHANNELS[g]!)(c) && textOf(c).includes(id));
      expect(edit.body.ts).toBe(msgs[`slack:${CHANNELS[g]}`]);
      expect(textOf(edit)).toMatch(/上海应急：收到（official/);
    }
    await h.app.services.alerts.idle();
    expect(slack.callsTo('chat.update').filter(inChannel(CHANNELS['上海应急']!))).toHaveLength(0);

    const state = await h.app.services.alerts.get(id);
    expect(state.acks['上海应急']).toMatchObject({ by: 'slack:U77', name: 'official' });
    expect((await store.timeline(id)).some((e) => e.kind === 'acknowledged' && e.group === '上海应急' && e.by === 'slack:U77')).toBe(true);

    expect((await slash(`alert status ${id}`, 'C3000', EMERGENCY)).status).toBe(200);
    const status = await slack.waitForCall('chat.postMessage', (c) => inChannel('C3000')(c) && textOf(c).includes('时间线') && textOf(c).includes(id));
    expect(textOf(status)).toMatch(/上海应急：收到（official/);
    expect(textOf(status)).toContain('确认收到 上海应急');

    // Resolved: every posted copy is edited to 【已结束】 and loses its buttons.
    expect((await slash(`alert resolve ${id} 险情解除`, 'C3000', EMERGENCY)).status).toBe(200);
    for (const g of ['文山应急', '上海应急', '应急领导小组']) {
      const ended = await slack.waitForCall('chat.update', (c) => inChannel(CHANNELS[g]!)(c) && shown(c).includes('【已结束】'));
      expect(ended.body.ts).toBe(msgs[`slack:${CHANNELS[g]}`]);
      expect(buttonsOf(ended)).toEqual([]);
    }
    await h.app.services.alerts.idle();
  });
});

describe('meeting reminder on Slack', () => {
  const CHANNELS = ['C4001', 'C4002'];

  it('the reminder carries 参加/不参加/委派他人; pressing 参加 lands in the tally', async () => {
    await makeGroup(
      h,
      '沪连',
      CHANNELS.map((chatId) => ({ platform: 'slack', chatId })),
    );
    // A reminder 15 s before a meeting 20 s ahead: due about 5 s into the test.
    const start = Math.ceil((Date.now() + 20_000) / 1000) * 1000;
    const typed = `meeting add "沪连对口合作联席会议" ${shanghai(start)} 沪连 --remind 15s --where 大连`;
    expect((await slash(typed, 'C4000', COORDINATOR)).status).toBe(200);
    const added = await slack.waitForCall('chat.postMessage', (c) => inChannel('C4000')(c) && textOf(c).includes('已安排会议'));
    const id = /M\d+/.exec(textOf(added))![0];

    const reminders = await Promise.all(
      CHANNELS.map((ch) => slack.waitForCall('chat.postMessage', (c) => inChannel(ch)(c) && textOf(c).includes('会议提醒'), 20_000)),
    );
    for (const r of reminders) {
      expect(textOf(r)).toContain('沪连对口合作联席会议');
      expect(textOf(r)).toContain('大连');
      expect(buttonsOf(r).map((b) => [b.text.text, b.value])).toEqual([
        ['参加', id],
        ['不参加', id],
        ['委派他人', id],
      ]);
    }

    const yes = buttonsOf(reminders[1]!)[0]!;
    expect((await press(yes, CHANNELS[1]!, 'U88', postedTs(reminders[1]!))).status).toBe(200);
    const toast = await slack.waitForCall('response_url', (c) => c.body.response_type === 'ephemeral' && textOf(c).includes('已记录：参加'));
    expect(textOf(toast)).toContain('沪连对口合作联席会议');
    const m = (await h.app.services.meetings.get(id))!;
    const tally = await h.app.services.meetings.tally(m);
    expect(tally.yes).toBe(1);
    expect(tally.entries.map((e) => e.user)).toEqual(['slack:U88']);
    // The reminder pressed on now shows the tally, buttons kept.
    const updated = await slack.waitForCall('response_url', (c) => c.body.replace_original === true && textOf(c).includes('参加 1｜不参加 0｜委派他人 0'));
    expect(shown(updated)).toContain('沪连对口合作联席会议');
    expect(buttonsOf(updated).map((b) => b.text.text)).toEqual(['参加', '不参加', '委派他人']);
    // Each channel got the reminder once.
    for (const ch of CHANNELS) expect(slack.delivered('chat.postMessage').filter((c) => inChannel(ch)(c) && textOf(c).includes('会议提醒'))).toHaveLength(1);
  }, 40_000);
});
