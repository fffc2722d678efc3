import { beforeEach, describe, expect, it } from 'vitest';
import { telegramInbound, useAlertHarness } from './fixture.ts';
import { Router } from '../../src/router.ts';
import { alert } from '../../commands/alert.ts';
import { ack } from '../../commands/ack.ts';
import { RoleStore } from '../../src/roles/store.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { Services } from '../../src/services.ts';
import type { Inbound, Reply } from '../../src/messages.ts';
import { renderText } from '../../src/render/text.ts';
import { defineCommand } from '../../src/command.ts';
import { z } from 'zod';
import { msg } from '../../src/i18n/index.ts';
import { escalationJobId } from '../../src/alerts/escalation.ts';

const h = useAlertHarness();
let services: Services;
let roles: RoleStore;
const ask = defineCommand({ name: 'ask', role: null, summary: '', usage: '', args: z.any(), run: async () => ({ blocks: [] }) });
const router = new Router([ask, alert, ack], { defaultCommand: 'ask' });

function inbound(text: string, user = '100', chatId = '100', press?: { action: string; value: string; messageId?: string }): Inbound {
  return telegramInbound(text, user, chatId, { ...(press ? { press } : {}), at: h.clock.now() });
}
const say = (text: string, user = '100', chat = user) => router.handle(inbound(text, user, chat), services);
const press = (action: string, value: string, user: string, chat: string) =>
  router.press(inbound('', user, chat, { action, value, messageId: '1' }), services);
const chatOf = (group: string) => h.chats[group]!.split(':')[1]!;
const all = (r: Reply) => renderText(r);

beforeEach(async () => {
  roles = new RoleStore({ redis: h.redis, prefix: h.prefix, admins: new Set(), openAsk: true });
  services = {
    config: loadConfig({}),
    clock: h.clock,
    log: createLogger('silent'),
    access: roles,
    roles,
    audit: h.audit,
    alerts: h.service,
  } as unknown as Services;
  await roles.grant('telegram:100', 'emergency');
});

describe('/alert', () => {
  it('is refused without the emergency role, and nothing is sent', async () => {
    const r = await say('/alert 文山 地震 II 州府震感强烈，已有房屋倒塌', '555');
    expect(r.tone).toBe('error');
    expect(all(r)).toContain('应急');
    expect(h.outbox.sent).toHaveLength(0);
    expect(await h.store.open(false)).toEqual([]);
  });

  it('II: sends at once and answers with the id and who was notified; audited', async () => {
    const r = await say('/alert 文山 地震 II 州府震感强烈，已有房屋倒塌');
    expect(r.title).toBe('警报 A-20261122-01 已发出');
    const text = all(r);
    for (const g of ['文山应急', '上海应急', '应急领导小组', '应急协调中心']) expect(text).toContain(g);
    expect(h.outbox.sent).toHaveLength(3);
    expect(h.outbox.sent[0]!.message.reply.blocks[0]?.text).toBe('州府震感强烈，已有房屋倒塌');
    expect((await h.audit.latest(5)).map((e) => e.action)).toContain('alert.trigger');
  });

  it('accepts the level in other forms and places (重大, 2, level before type)', async () => {
    expect((await say('/alert 文山 重大 地震 说明')).title).toContain('已发出');
    expect((await say('/alert 红河 洪涝 2 说明')).title).toContain('已发出');
  });

  it('unknown region: a clear answer with candidates, nothing sent', async () => {
    const r = await say('/alert 文山州地震 地震 II 说明');
    expect(r.tone).toBe('error');
    expect(all(r)).toMatch(/没有找到地区.*未发送任何消息/);
    const r2 = await say('/alert 火星 地震 II 说明');
    expect(all(r2)).toContain('没有找到地区“火星”');
    expect(h.outbox.sent).toHaveLength(0);
  });

  it('missing level or text: what is wrong plus the usage line', async () => {
    const r = await say('/alert 文山 地震 很严重');
    expect(all(r)).toContain('级别');
    expect(r.footer).toContain('用法：/alert');
    expect(all(await say('/alert 文山 地震 II'))).toContain('情况说明');
  });

  it('III: preview with confirm; a user without the role cannot confirm; the holder can', async () => {
    const r = await say('/alert 普洱 泥石流 III 某乡道路中断');
    expect(r.title).toMatch(/^待确认：警报 A-/);
    expect(h.outbox.sent).toHaveLength(0);
    const id = r.buttons![0]![0]!.value;
    expect((await press('alert.confirm', id, '555', '555')).toast).toContain('没有执行此操作的权限');
    expect(h.outbox.sent).toHaveLength(0);
    const ok = await press('alert.confirm', id, '100', '100');
    expect(ok.toast).toBe('已发出');
    expect(h.outbox.chats('s').sort()).toEqual([h.chats['普洱应急'], h.chats['上海应急']].sort());
  });

  it('drill: 【演练】 everywhere, D- id, no leadership', async () => {
    const r = await say('/alert drill 文山 地震 I 桌面推演');
    expect(r.title).toMatch(/^【演练】警报 Y-20261122-01 已发出/);
    expect(h.outbox.chats('s')).not.toContain(h.chats['应急领导小组']);
    for (const s of h.outbox.sent) expect(renderText(s.message.reply)).toMatch(/^【【演练】/);
  });

  it('duplicate joins; --new starts another', async () => {
    const a = await say('/alert 文山 地震 II 第一报');
    const b = await say('/alert 文山 地震 II 第二报');
    expect(b.title).toBe(`已并入进行中的警报 ${a.title!.split(' ')[1]}`);
    const c = await say('/alert 文山 地震 II 另一处 --new');
    expect(c.title).toBe('警报 A-20261122-02 已发出');
  });

  it('收到 from a recipient chat by anyone records its group; outside chats are refused; status shows who', async () => {
    const r = await say('/alert 文山 地震 II 说明');
    const id = r.title!.split(' ')[1]!;
    const outside = await press('alert.ack', id, '777', '-999');
    expect(outside.toast).toContain('不在此警报的通知范围内');
    const p = await press('alert.ack', id, '777', chatOf('上海应急'));
    expect(p.toast).toBe('已记录：上海应急 收到');
    expect(all(p.edit!)).toContain('上海应急：收到（用户777（telegram:777）');
    const o = await press('alert.own', id, '778', chatOf('文山应急'));
    expect(o.toast).toBe('已记录：由你代表 文山应急 负责');
    const typed = await say(`/ack ${id.toLowerCase()}`, '779', chatOf('应急领导小组'));
    expect(all(typed)).toContain('已记录：应急领导小组 收到');
    const s = all(await say(`/alert status ${id}`));
    expect(s).toContain('已确认 3/3 个频道组');
    expect(s).toContain('文山应急：收到（用户778（telegram:778）');
    expect(s).toContain('负责人 用户778');
    expect(s).toMatch(/时间线[\s\S]*创建[\s\S]*发出[\s\S]*确认收到 上海应急/);
  });

  it('errors raised by the service carry the typed command\'s usage line', async () => {
    const region = await say('/alert 火星 地震 II 说明');
    expect(region.footer).toBe(`用法：${msg.alerts.usage}`);
    const unknown = await say('/alert status A-20990101-01');
    expect(unknown.footer).toBe(`用法：${msg.alerts.usage}`);
    const badAck = await say('/ack xyz', '100', '-5');
    expect(all(badAck)).toContain('“xyz”不是警报编号');
    expect(badAck.footer).toBe(`用法：${msg.alerts.ackUsage}`);
    expect((await say('/ack A-20990101-01')).footer).toBe(`用法：${msg.alerts.ackUsage}`);
  });

  it('the alert text reaches the groups exactly as typed: quote marks, 「」 and line breaks kept', async () => {
    const text = '州府“震感强烈”，「城南」房屋倒塌\n第二行：已转移群众';
    await say(`/alert 文山 地震 II ${text}`);
    expect(h.outbox.sent[0]!.message.reply.blocks[0]?.text).toBe(text);
    const id = (await h.store.open(false))[0]!;
    const update = '“余震” 4.2级\n\n请注意';
    await say(`/alert update ${id} ${update}`);
    expect(h.outbox.sent.find((s) => s.message.id.includes(':u1:'))!.message.reply.blocks[0]?.text).toBe(update);
    await say(`/alert drill 红河 洪涝 II --new 「演练」 文字`);
    expect(h.outbox.sent.at(-1)!.message.reply.blocks[0]?.text).toBe('「演练」 文字');
  });

  it('an unbalanced quote does not swallow a later --new', async () => {
    const a = await say('/alert 文山 地震 II 第一报');
    const b = await say('/alert 文山 地震 II 他说"快跑 --new');
    expect(b.title).not.toBe(a.title);
    expect(b.title).toBe('警报 A-20261122-02 已发出');
    expect(h.outbox.sent.at(-1)!.message.reply.blocks[0]?.text).toBe('他说"快跑');
  });

  it('/ack typed in a condolence chat (上海 struck) is refused and escalation stays armed', async () => {
    const r = await say('/alert 上海 地震 II 市区震感明显');
    const id = r.title!.split(' ')[1]!;
    const refused = await say(`/ack ${id}`, '777', chatOf('文山应急'));
    expect(refused.tone).toBe('error');
    expect(all(refused)).toContain('慰问通报');
    expect((await say(`/ack ${id}`, '100', chatOf('文山应急'))).tone).toBe('error');
    const a = await h.store.get(id);
    expect(a?.acks).toEqual({});
    expect(await h.escalations.queue.getJob(escalationJobId(id, 1))).toBeDefined();
  });

  it('update, resolve and the overview', async () => {
    const r = await say('/alert 文山 地震 II 说明');
    const id = r.title!.split(' ')[1]!;
    expect(all(await say(`/alert update ${id} 已转移群众 3000 人`))).toContain('续报1');
    expect(all(await say('/alert status'))).toContain(id);
    expect(all(await say(`/alert resolve ${id} 响应结束`))).toContain('已结束');
    expect(all(await say(`/alert resolve ${id} 又一次`))).toContain('已经结束');
    expect(all(await say('/alert status'))).toContain('当前没有进行中的警报');
    expect(all(await say('/alert status A-20990101-01'))).toContain('没有编号为 A-20990101-01 的警报');
    expect(all(await say('/alert update 123 文字'))).toContain('不是警报编号');
  });
});
