/**
 * Roles, audit, channel groups and the broadcast command through the router, against a private
 * redis-server, with recording senders (the Telegram stand-in flow is in tests/delivery/).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { DEFAULT_SEEDS_DIR } from '../src/app.ts';
import { loadGroupSeeds, seedGroups } from '../src/groups/seed.ts';
import type { Inbound, Reply } from '../src/messages.ts';
import { renderText } from '../src/render/text.ts';
import { startRedis, type RedisServer } from './support/redis-server.ts';
import { RecordingSender, buildApp, waitFor, withWorkers } from './delivery/harness.ts';
import type { RunningWorkers } from '../src/process.ts';
import { extractAt } from '../commands/broadcast.ts';

let redis: RedisServer;
let app: App;
let workers: RunningWorkers;
const tg = new RecordingSender('telegram');
const ADMIN = '1';
const COORD = '2';
const NOBODY = '3';

beforeAll(async () => {
  redis = await startRedis();
  app = await buildApp(redis.url, { telegram: tg, slack: new RecordingSender('slack') }, { ADMINS: `telegram:${ADMIN}`, OPEN_ASK: 'false' });
  workers = await withWorkers(app);
});
afterAll(async () => {
  await workers?.close();
  await app?.close();
  await redis?.dispose();
});

function inbound(user: string, text: string, chatId = `-500${user}`): Inbound {
  return {
    platform: 'telegram',
    chat: { platform: 'telegram', chatId },
    chatType: 'group',
    user: { platform: 'telegram', id: user, name: `用户${user}` },
    text,
    receivedAt: new Date(),
  };
}
const say = (user: string, text: string, chatId?: string): Promise<Reply> => app.router.handle(inbound(user, text, chatId), app.services);
const text = (r: Reply) => renderText(r);

describe('roles and audit', () => {
  it('only admins grant; a grant gives the role; every change and refusal is audited', async () => {
    const refused = await say(NOBODY, '/role grant telegram:3 admin');
    expect(refused.tone).toBe('error');
    expect(text(refused)).toContain('管理员');
    expect(await app.services.access.hasRole({ platform: 'telegram', id: NOBODY }, 'admin')).toBe(false);

    expect(text(await say(ADMIN, `/role grant telegram:${COORD} coordinator`))).toContain('已授予');
    expect(await app.services.access.hasRole({ platform: 'telegram', id: COORD }, 'coordinator')).toBe(true);
    expect(await app.services.access.hasRole({ platform: 'telegram', id: COORD }, 'official')).toBe(true);
    expect(await app.services.access.hasRole({ platform: 'telegram', id: COORD }, 'emergency')).toBe(false);
    expect(await app.services.access.hasRole({ platform: 'telegram', id: NOBODY }, 'official')).toBe(false);
    expect(text(await say(ADMIN, '/role list'))).toContain(`telegram:${COORD}：协调员`);

    for (const who of ['telegram:@wang', 'telegram:-100123', 'slack:C0123', 'slack:u0123']) {
      const r = await say(ADMIN, `/role grant ${who} coordinator`);
      expect(r.tone, who).toBe('error');
      expect(text(r), who).toContain('不是有效的用户');
    }
    expect(text(await say(ADMIN, '/role grant slack:W0ABC official'))).toContain('已授予');
    const bad = await say(ADMIN, '/role grant telegram:9 boss');
    expect(bad.tone).toBe('error');
    expect(bad.footer).toContain('/role grant');
    expect(text(await say(ADMIN, `/role revoke telegram:${ADMIN} admin`))).toContain('ADMINS');

    const log = await app.services.audit.latest(10);
    expect(log.some((e) => e.action === 'role.grant' && e.detail === `telegram:${COORD} coordinator` && e.user === `telegram:${ADMIN}`)).toBe(true);
    expect(text(await say(ADMIN, '/audit 5'))).toContain('role.grant');
    expect((await say(COORD, '/audit')).tone).toBe('error');

    const denials = (await app.services.audit.latest(50)).filter((e) => e.action.endsWith('.denied'));
    expect(denials.some((e) => e.action === 'role.denied' && e.user === `telegram:${NOBODY}`)).toBe(true);
    // Revoking a bootstrap admin is a refused privileged change, recorded like any other.
    expect(denials.some((e) => e.action === 'role.revoke.denied' && e.user === `telegram:${ADMIN}`)).toBe(true);
    expect(denials.some((e) => e.action === 'audit.denied' && e.user === `telegram:${COORD}`)).toBe(true);
  });

  it('every role refusal — command, subcommand, button — is audited as <action>.denied', async () => {
    await app.services.groups.create('审计测试', { createdBy: 'test' });
    const OFFICIAL = '4';
    await say(ADMIN, `/role grant telegram:${OFFICIAL} official`);
    // [user, command, audited action]: officials pass /meeting and /deadline but not their changes.
    const attempts: [string, string, string][] = [
      [OFFICIAL, '/meeting add "审计会" 2027-05-01 09:00 审计测试', 'meeting.add.denied'],
      [OFFICIAL, '/meeting move M1 2027-05-02 09:00', 'meeting.move.denied'],
      [OFFICIAL, '/meeting cancel M1', 'meeting.cancel.denied'],
      [OFFICIAL, '/deadline add 报送 2027-05-01 审计测试', 'deadline.add.denied'],
      [OFFICIAL, '/deadline done D1', 'deadline.done.denied'],
      [OFFICIAL, '/broadcast 审计测试 通知', 'broadcast.denied'],
      [OFFICIAL, '/group create 审计二', 'group.create.denied'],
      [NOBODY, '/meeting list', 'meeting.denied'],
      // OPEN_ASK is off here: even asking needs the official role.
      [NOBODY, '大连的对口支援', 'ask.denied'],
    ];
    for (const [who, cmd, action] of attempts) {
      const r = await say(who, cmd);
      expect(r.tone, `${cmd}: ${text(r)}`).toBe('error');
      const [latest] = await app.services.audit.latest(1);
      expect(latest, cmd).toMatchObject({ action, user: `telegram:${who}`, chat: `telegram:-500${who}` });
    }
    const pressed = await app.router.press({ ...inbound(NOBODY, ''), press: { action: 'ask.full', value: 'x' } }, app.services);
    expect(pressed.toast).toContain('权限');
    expect((await app.services.audit.latest(1))[0]?.action).toBe('ask.full.denied');
    expect(await app.services.meetings.list({ all: true })).toEqual([]);
    expect(await app.services.officeDeadlines.list({ includeDone: true })).toEqual([]);
  });
});

describe('channel groups', () => {
  it('create, add this chat, add by id, show, remove, delete — coordinators only', async () => {
    const refused = await say(NOBODY, '/group create 沪滇协作');
    expect(refused.tone).toBe('error');
    expect(await app.services.groups.get('沪滇协作')).toBeUndefined();
    const denied = await app.services.audit.latest(5, 'group.create');
    expect(denied[0]?.action).toBe('group.create.denied');

    expect(text(await say(COORD, '/group create 沪滇协作 上海—云南'))).toContain('已创建');
    expect((await say(COORD, '/group create 沪滇协作')).tone).toBe('error');
    await say(COORD, '/group add 沪滇协作', '-1009');
    await say(COORD, '/group add 沪滇协作 telegram:-100123 slack:C0456ABCDE');
    const g = await app.services.groups.get('沪滇协作');
    expect(g?.destinations.map((d) => `${d.platform}:${d.chatId}`).sort()).toEqual(['slack:C0456ABCDE', 'telegram:-100123', 'telegram:-1009']);
    expect(g?.title).toBe('上海—云南');
    const bad = await say(COORD, '/group add 沪滇协作 tg:123');
    expect(bad.tone).toBe('error');
    expect(bad.footer).toContain('/group');
    expect(text(await say(COORD, '/group show 沪滇协作'))).toContain('共 3 个聊天');
    expect(text(await say(COORD, '/group remove 沪滇协作 slack:C0456ABCDE'))).toContain('已从');
    expect((await app.services.groups.get('沪滇协作'))?.destinations).toHaveLength(2);
    expect(text(await say(COORD, '/group list'))).toContain('沪滇协作（上海—云南）：2 个聊天');
    expect((await say(NOBODY, '/group delete 沪滇协作')).tone).toBe('error');
    expect(text(await say(COORD, '/group delete 沪滇协作'))).toContain('已删除');
    expect(await app.services.groups.get('沪滇协作')).toBeUndefined();
    const actions = (await app.services.audit.latest(50)).map((e) => e.action);
    for (const a of ['group.create', 'group.add', 'group.remove', 'group.delete']) expect(actions).toContain(a);
  });

  it('seeds/groups.json validates against the gazetteer and loads idempotently', async () => {
    const ids = new Set<string>((await import(join(DEFAULT_SEEDS_DIR, 'regions.json'), { with: { type: 'json' } })).default.map((r: { id: string }) => r.id));
    const seeds = await loadGroupSeeds(join(DEFAULT_SEEDS_DIR, 'groups.json'), ids);
    const first = await seedGroups(app.services.groups, seeds);
    expect(first.created).toContain('沪连联席会议');
    expect(first.created).toContain('文山应急');
    expect(first.created).toContain('应急领导小组');
    await app.services.groups.add('沪连', [{ to: { platform: 'telegram', chatId: '-42' } }]);
    const again = await seedGroups(app.services.groups, seeds);
    expect(again.created).toEqual([]);
    expect((await app.services.groups.get('沪连'))?.destinations.some((d) => d.chatId === '-42')).toBe(true);
  });
});

describe('/broadcast', () => {
  it('refuses users without the coordinator role and sends nothing', async () => {
    await app.services.groups.create('拒绝测试');
    await app.services.groups.add('拒绝测试', [{ to: { platform: 'telegram', chatId: '-8001' } }]);
    const r = await say(NOBODY, '/broadcast 拒绝测试 明天开会');
    expect(r.tone).toBe('error');
    expect(text(r)).toContain('协调员');
    await new Promise((res) => setTimeout(res, 200));
    expect(tg.sends.filter((s) => s.key === 'telegram:-8001')).toHaveLength(0);
  });

  it('previews, confirms, delivers, reports; confirm twice sends once; others cannot confirm', async () => {
    await app.services.groups.create('沪连测试');
    const tos = Array.from({ length: 5 }, (_, i) => ({ to: { platform: 'telegram' as const, chatId: `-900${i}` } }));
    await app.services.groups.add('沪连测试', tos);
    const preview = await say(COORD, '/broadcast 沪连测试 请各单位于周五前报送材料。\n谢谢');
    expect(text(preview)).toContain('5 个聊天');
    const confirm = preview.buttons?.[0]?.[0];
    expect(confirm?.action).toBe('broadcast.confirm');
    const id = confirm!.value;
    const press = (user: string, action: string) =>
      app.router.press({ ...inbound(user, ''), chat: { platform: 'telegram', chatId: `-500${COORD}` }, press: { action, value: id, messageId: '77' } }, app.services);
    // No role: refused by the router; a coordinator who did not draft it: refused by the owner check.
    expect((await press(NOBODY, 'broadcast.confirm')).toast).toContain('协调员');
    const OTHER_COORD = '5';
    await app.services.roles.grant(`telegram:${OTHER_COORD}`, 'coordinator');
    expect((await press(OTHER_COORD, 'broadcast.confirm')).toast).toContain('发起人');
    await press(COORD, 'broadcast.confirm');
    expect((await press(COORD, 'broadcast.confirm')).toast).toContain('已经确认');
    await waitFor(async () => (await app.services.broadcasts.get(id))?.status === 'done');
    const mine = tg.sends.filter((s) => s.key.startsWith('telegram:-900'));
    expect(mine).toHaveLength(5);
    expect(text(mine[0]!.reply)).toContain('请各单位于周五前报送材料。\n谢谢');
    // The report edit follows the status change; wait for it rather than race it.
    await waitFor(() => tg.edits.some((e) => e.messageId === '77' && text(e.reply).includes('群发报告')));
    const last = tg.edits.filter((e) => e.messageId === '77').at(-1);
    expect(text(last!.reply)).toContain('已送达 5/5');
    expect(text(last!.reply)).toContain('群发报告');
    expect(text(await say(COORD, `/broadcast status ${id}`))).toContain('已完成');
    const actions = (await app.services.audit.latest(20)).map((e) => e.action);
    expect(actions).toContain('broadcast.confirm');
    expect(actions).toContain('broadcast.confirm.denied');
  });

  it('schedules with --at, rejects past or malformed times with the usage line', async () => {
    const now = Date.UTC(2026, 10, 23, 2, 0); // 2026-11-23 10:00 Asia/Shanghai
    expect(extractAt('明天开会 --at 2026-12-01 09:00', 'Asia/Shanghai', now)).toEqual({
      text: '明天开会',
      at: Date.UTC(2026, 11, 1, 1, 0),
      zone: 'Asia/Shanghai',
    });
    expect(extractAt('--at 2026-12-01 09:00 Europe/Berlin 请准时', 'Asia/Shanghai', now).at).toBe(Date.UTC(2026, 11, 1, 8, 0));
    const malformed = await say(COORD, '/broadcast 沪连测试 开会 --at 明天早上');
    expect(malformed.tone).toBe('error');
    expect(text(malformed)).toContain('无法识别');
    expect(malformed.footer).toContain('/broadcast');
    const past = await say(COORD, '/broadcast 沪连测试 开会 --at 2020-01-01 09:00');
    expect(text(past)).toContain('已经过去');
    expect(past.footer).toContain('/broadcast');
    const unknown = await say(COORD, '/broadcast 没有这个组 开会');
    expect(text(unknown)).toContain('没有名为');

    const future = new Date(Date.now() + 3600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    const at = `${future.getUTCFullYear()}-${p(future.getUTCMonth() + 1)}-${p(future.getUTCDate())} ${p(future.getUTCHours())}:${p(future.getUTCMinutes())} UTC`;
    const preview = await say(COORD, `/broadcast 沪连测试 定时通知 --at ${at}`);
    // The time in the zone given, and in 北京时间 beside it; no "北京时间除非另注" beside a UTC time.
    expect(text(preview)).toMatch(/定时于 \d{4}-\d\d-\d\d \d\d:\d\d UTC（北京时间 (\d{4}-\d\d-\d\d )?\d\d:\d\d）/);
    expect(text(preview)).not.toContain('除非另注');
    const id = preview.buttons![0]![0]!.value;
    const r = await app.router.press({ ...inbound(COORD, ''), press: { action: 'broadcast.confirm', value: id } }, app.services);
    expect(text(r.edit!)).toContain('将于');
    expect(text(r.edit!)).toContain('UTC（北京时间');
    expect((await app.services.broadcasts.get(id))?.status).toBe('scheduled');
    const delayed = await app.services.outbox.queue('telegram').getDelayedCount();
    expect(delayed).toBe(5);
    expect(text(await say(COORD, `/broadcast cancel ${id}`))).toContain('已取消');
    expect(await app.services.outbox.queue('telegram').getDelayedCount()).toBe(0);
    // A cancelled broadcast's status says what happened, not that five messages wait to go.
    const status = text(await say(COORD, `/broadcast status ${id}`));
    expect(status).toContain('已取消');
    expect(status).not.toContain('待发送');
    expect(status).toContain('因取消未发送 5');
  });
});
