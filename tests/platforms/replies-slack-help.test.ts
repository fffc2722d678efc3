/**
 * Replies as people read them on each platform (issue 12, points 8 and 14): on Slack, help and
 * hints name commands as Slack users type them (/xiezuo ask 问题); /help lists every subcommand
 * the caller may run; a refusal shows the usage of the subcommand that was used; a long
 * /deadline list points to filters that narrow it. Through the real router, real Bolt against
 * the Web API stand-in, and a private redis-server.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/render/text.ts';
import { slackCommandForm } from '../../src/render/commands.ts';
import { type SlackCall, postSigned, slashCommandBody } from '../support/fake-slack.ts';
import { COORDINATOR, OFFICIAL, SLACK_SECRET, useSlackHarness } from '../meetings/harness.ts';

const { h, slack, bot } = useSlackHarness({ env: { OPEN_ASK: 'true' } });

beforeAll(async () => {
  await h.app.services.roles.grant('slack:UCOORD', 'coordinator');
});

/** Everything a Slack user reads in a call: the fallback text and every block's text. */
const shown = (c: SlackCall) => [String(c.body.text ?? ''), JSON.stringify(c.body.blocks ?? [])].join('\n');

async function slash(text: string, channel: string, user = 'UOFFICIAL'): Promise<string> {
  const responseUrl = slack.responseUrl();
  expect((await postSigned(bot.url, slashCommandBody({ text, channel, user, responseUrl }), SLACK_SECRET)).status).toBe(200);
  return shown(await slack.waitForCall('chat.postMessage', (x) => x.body.channel === channel));
}

describe('8. Slack speaks Slack', () => {
  it('rewrites command hints to the one slash command, leaving paths and /xiezuo alone', () => {
    expect(slackCommandForm('发送 /toc 查看；/pair 地区名 查询')).toBe('发送 /xiezuo toc 查看；/xiezuo pair 地区名 查询');
    expect(slackCommandForm('/help')).toBe('/xiezuo help');
    expect(slackCommandForm('请检查 seeds/alert-routing.json 和 https://x.cn/a')).toBe('请检查 seeds/alert-routing.json 和 https://x.cn/a');
    expect(slackCommandForm('/xiezuo ask 问题')).toBe('/xiezuo ask 问题');
  });

  it('/xiezuo help on Slack lists commands and subcommands in Slack form, /deadline add and done included', async () => {
    const text = await slash('help', 'C8001', 'UCOORD');
    expect(text).toContain('/xiezuo ask 问题');
    expect(text).toContain('/xiezuo toc');
    expect(text).toContain('/xiezuo deadline add');
    expect(text).toContain('/xiezuo deadline done');
    expect(text).not.toMatch(/(^|[\s：，、；（"])\/(ask|toc|pair|deadline) /m);
  });

  it('a weak answer\'s hints on Slack say /xiezuo toc and /xiezuo pair', async () => {
    const text = await slash('ask 哈利波特与魔法石', 'C8002');
    expect(text).toContain('/xiezuo toc');
    expect(text).toContain('/xiezuo pair');
  });

  it('the same hints on Telegram keep the Telegram form', async () => {
    const reply = renderText(await h.say('/help', COORDINATOR));
    expect(reply).toContain('/deadline add');
    expect(reply).toContain('/deadline done');
    expect(reply).not.toContain('/xiezuo');
  });
});

describe('8. /help lists only what the caller may run; a refusal shows the usage of the subcommand used', () => {
  it('an official\'s /help leaves out the coordinator\'s /deadline add', async () => {
    expect(renderText(await h.say('/help', OFFICIAL))).not.toContain('/deadline add');
  });

  it('/meeting add by an official is refused with the add usage line', async () => {
    const r = await h.say('/meeting add 联席会议 2027-01-01 10:00 某组', OFFICIAL);
    expect(r.tone).toBe('error');
    expect(r.blocks[0]!.text).toContain('权限');
    expect(r.footer).toMatch(/\/meeting add/);
  });
});

describe('14. a long /deadline list points to what narrows it', () => {
  it('suggests /deadline with --upcoming, a year or a region, never xiezuo ingest', async () => {
    const text = renderText(await h.say('/deadline', OFFICIAL));
    expect(text).toMatch(/另有 \d+ 项未列出/);
    expect(text).toContain('/deadline --upcoming');
    expect(text).not.toContain('ingest');
    const narrower = renderText(await h.say('/deadline 大连 --upcoming', OFFICIAL));
    expect(narrower).not.toContain('ingest');
  });
});
