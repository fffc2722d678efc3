/**
 * Issue 11 #9: alerts and broadcasts to groups nobody can hear them in. The example groups of
 * `xiezuo seed` hold console: placeholders; on a deployment that sends to Telegram and Slack
 * they reach nobody, and the bot must say so — in the preview, in the trigger's reply, in the
 * status — and a grave alert that reached no chat at all is a failure, told to the coordination
 * tier at once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEEDS_DIR } from '../../src/app.ts';
import { loadGroupSeeds, seedGroups } from '../../src/groups/seed.ts';
import { type Harness, idOf, makeGroup, startHarness, text, until } from '../meetings/harness.ts';

let h: Harness;
const COORDINATION_CHAT = '-8800';

beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedGroups(h.app.services.groups, await loadGroupSeeds(join(DEFAULT_SEEDS_DIR, 'groups.json')));
  // The coordination centre has one real chat; every other seeded group only placeholders.
  await h.app.services.groups.add('应急协调中心', [{ to: { platform: 'telegram', chatId: COORDINATION_CHAT } }]);
});
afterAll(async () => {
  await h?.close();
});

describe('alerts to groups with no deliverable chat', () => {
  it('a level II alert reaching no real chat is reported as failed, naming the groups; the coordination tier is told at once', async () => {
    const r = await h.say('/alert 文山 地震 II 州府震感强烈，已有房屋倒塌');
    const all = text(r);
    expect(r.tone).toBe('error');
    expect(r.title).toMatch(/^警报 A-\d{8}-\d{2} 未能送达任何聊天$/);
    expect(r.title).not.toContain('已发出');
    expect(all).toContain('文山应急');
    expect(all).toContain('没有本部署能送达的会话');
    const id = /A-\d{8}-\d{2}/.exec(r.title!)![0];
    await until(() => h.telegram.received.some((m) => m.to.chatId === COORDINATION_CHAT), 10_000, 'coordination notice');
    const notice = h.telegram.received.find((m) => m.to.chatId === COORDINATION_CHAT)!;
    expect(text(notice.reply)).toContain('【送达失败】');
    expect(text(notice.reply)).toContain(id);
    // Nothing was queued for the console placeholders: no platform here could ever send it.
    expect(await h.app.services.outbox.queue('console').count()).toBe(0);
    const status = text((await h.app.services.alerts.status(id)).reply);
    expect(status).toMatch(/未能送达的频道组 \d+ 个：.*文山应急/);
  });

  it('a level IV preview names the groups that will not hear it', async () => {
    const r = await h.say('/alert 红河 洪涝 IV 局地积水，暂无损失');
    expect(r.title).toMatch(/^待确认/);
    expect(text(r)).toMatch(/注意：\d+ 个频道组尚未建立或没有本部署能送达的会话，不会收到此警报：.*红河应急/);
  });
});

describe('broadcasts to groups with unreachable chats', () => {
  it('a group with only placeholders is refused; a mixed one says which chats will not be sent, and its report counts them apart', async () => {
    const none = await h.say('/broadcast 沪连 请报送材料');
    expect(none.tone).toBe('error');
    expect(text(none)).toContain('没有本部署能送达的聊天');
    await makeGroup(h, '混合组', [
      { platform: 'telegram', chatId: '-8801' },
      { platform: 'console', chatId: '占位-1' },
    ]);
    const preview = await h.say('/broadcast 混合组 请报送材料');
    expect(text(preview)).toContain('将发送到频道组“混合组”的 1 个聊天');
    expect(text(preview)).toContain('注意：另有 1 个聊天所在的平台本部署未配置，不会发送：console:占位-1');
    const id = /B-\d{8}-\d{2}/.exec(preview.title!)![0];
    const confirm = await h.app.router.press(
      { platform: 'telegram', chat: { platform: 'telegram', chatId: '-9000' }, chatType: 'group', user: { platform: 'telegram', id: '1001', name: '王协调' }, text: '', receivedAt: new Date(), press: { action: 'broadcast.confirm', value: id } },
      h.app.services,
    );
    expect(confirm.toast).toBe('确认发送');
    await until(async () => (await h.app.services.broadcasts.get(id))?.status === 'done', 10_000, 'broadcast done');
    const report = text(await h.say(`/broadcast status ${id}`));
    expect(report).toContain('console:占位-1');
    expect(h.telegram.received.filter((m) => m.to.chatId === '-8801')).toHaveLength(1);
  });
});

describe('reminders to groups with chats on platforms this deployment does not send to', () => {
  it('queue only the reachable chats, and a group with none reports the reminder unreachable, not sent', async () => {
    await makeGroup(h, '混合提醒组', [
      { platform: 'telegram', chatId: '-8801' },
      { platform: 'console', chatId: 'placeholder' },
    ]);
    const mixed = await h.say('/deadline add 报送材料 2027-03-31 混合提醒组');
    const mixedId = idOf(mixed);
    const d = (await h.app.services.officeDeadlines.get(mixedId))!;
    expect(await h.app.services.officeDeadlines.fireReminder({ kind: 'deadline', deadlineId: d.id, generation: d.generation, offset: '7d' })).toBe('sent');
    // -8801 already holds the broadcast of the test before: wait for this reminder's own message
    // (its footer is the deadline's id), not for any message to that chat.
    await until(() => h.telegram.received.some((m) => m.to.chatId === '-8801' && m.reply.footer === mixedId), 10_000, 'the Telegram reminder');
    const consoleQueue = h.app.services.outbox.queue('console');
    expect(await consoleQueue.count()).toBe(0);

    await makeGroup(h, '占位提醒组', [{ platform: 'console', chatId: 'placeholder2' }]);
    const none = await h.say('/deadline add 报送材料 2027-03-31 占位提醒组');
    const noneId = idOf(none);
    const n = (await h.app.services.officeDeadlines.get(noneId))!;
    expect(await h.app.services.officeDeadlines.fireReminder({ kind: 'deadline', deadlineId: n.id, generation: n.generation, offset: '7d' })).toBe('unreachable');
    expect(await consoleQueue.count()).toBe(0);
  });
});
