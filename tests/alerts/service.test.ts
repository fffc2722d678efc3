import { describe, expect, it } from 'vitest';
import { type Harness, until, useAlertHarness } from './fixture.ts';
import { RegionLookupError } from '../../src/alerts/service.ts';
import { escalationJobId } from '../../src/alerts/escalation.ts';
import { UserError } from '../../src/errors.ts';

// Short timeouts: escalation must be observable in well under a second.
const h = useAlertHarness({ I: 300, II: 300, III: 300, IV: 300 });
const by = { key: 'telegram:42', name: '值班员' };
const trigger = (over: Partial<Parameters<Harness['service']['trigger']>[0]> = {}) =>
  h.service.trigger({ region: '文山', type: '地震', level: 'II', text: '州府震感强烈，已有房屋倒塌', drill: false, forceNew: false, by, source: 'chat', ...over });


describe('trigger', () => {
  it('II sends at once to 文山, 上海 and leadership with alert priority, with a readable id', async () => {
    const r = await trigger();
    expect(r.kind).toBe('sent');
    expect(r.alert.id).toBe('A-20261122-01');
    expect(r.alert.status).toBe('open');
    expect(h.outbox.chats('s').sort()).toEqual([h.chats['文山应急'], h.chats['上海应急'], h.chats['应急领导小组']].sort());
    expect(h.outbox.sent.every((s) => s.opts.priority === 'alert')).toBe(true);
    const card = h.outbox.sent[0]!.message.reply;
    expect(card.title).toContain('II级（重大）');
    expect(card.buttons?.[0]?.map((b) => b.action)).toEqual(['alert.ack', 'alert.own']);
    expect((await trigger({ region: '红河', forceNew: true })).alert.id).toBe('A-20261122-02');
  });

  it('III–IV show a preview of exactly who will be notified, and send only on confirm', async () => {
    const r = await trigger({ level: 'IV' });
    expect(r.kind).toBe('preview');
    expect(h.outbox.sent).toHaveLength(0);
    const text = r.reply.blocks.map((b) => `${b.heading ?? ''}\n${b.text}`).join('\n');
    expect(text).toContain('文山应急');
    expect(text).toContain('上海应急');
    expect(text).toContain('应急协调中心');
    expect(r.reply.buttons?.[0]?.map((b) => b.action)).toEqual(['alert.confirm', 'alert.cancel']);
    await h.service.confirm(r.alert.id, by);
    expect(h.outbox.chats('s').sort()).toEqual([h.chats['文山应急'], h.chats['上海应急']].sort());
    await expect(h.service.confirm(r.alert.id, by)).rejects.toBeInstanceOf(UserError);
  });

  it('a cancelled preview sends nothing', async () => {
    const r = await trigger({ level: 'III' });
    await h.service.cancel(r.alert.id, by);
    await expect(h.service.confirm(r.alert.id, by)).rejects.toBeInstanceOf(UserError);
    expect(h.outbox.sent).toHaveLength(0);
  });

  it('an unknown or ambiguous region is refused with candidates and nothing is stored or sent', async () => {
    await expect(trigger({ region: '文山州地震' })).rejects.toThrow(/没有找到地区“文山州地震”.*文山壮族苗族自治州/);
    await expect(trigger({ region: '火星' })).rejects.toBeInstanceOf(RegionLookupError);
    expect(h.outbox.sent).toHaveLength(0);
    expect(await h.store.open(false)).toEqual([]);
  });

  it('the same region and type within 30 minutes joins the open alert as an update; --new or later starts another', async () => {
    const first = await trigger();
    h.clock.advance(10 * 60_000);
    const again = await trigger({ text: '余震不断', region: '文山州' });
    expect(again.kind).toBe('joined');
    expect(again.alert.id).toBe(first.alert.id);
    expect(h.outbox.chats('u1').sort()).toEqual(h.outbox.chats('s').sort());
    expect(h.outbox.sent.find((s) => s.message.id.includes(':u1:'))?.message.reply.blocks[0]?.text).toBe('余震不断');
    const tl = await h.store.timeline(first.alert.id);
    expect(tl.some((e) => e.kind === 'joined' && e.text === '余震不断')).toBe(true);

    const other = await trigger({ forceNew: true });
    expect(other.kind).toBe('sent');
    expect(other.alert.id).not.toBe(first.alert.id);
    h.clock.advance(31 * 60_000);
    expect((await trigger({ type: '洪涝' })).kind).toBe('sent');
    expect((await trigger({ type: '洪涝', drill: true })).kind).toBe('sent'); // a drill never joins a real alert
  });
});

describe('drills', () => {
  it('mark every message 【演练】, skip leadership, and keep ids, indexes and statistics apart', async () => {
    const r = await trigger({ drill: true, level: 'I' });
    expect(r.alert.id).toMatch(/^Y-20261122-01$/);
    expect(h.outbox.chats('s')).not.toContain(h.chats['应急领导小组']);
    expect(h.outbox.chats('s')).toContain(h.chats['应急协调中心']);
    await h.service.update(r.alert.id, '演练续报', by);
    await h.service.resolve(r.alert.id, '演练结束', by);
    for (const s of h.outbox.sent) {
      expect(s.message.reply.title).toMatch(/^【演练】/);
      expect(s.message.reply.footer).toContain('【演练】');
    }
    expect(await h.store.stats(false)).toEqual({});
    expect(await h.store.stats(true)).toMatchObject({ created: 1, 'level:I': 1, resolved: 1 });
    expect((await h.service.overview()).blocks.map((b) => b.heading)).toContain('统计（演练，单独计）');
  });
});

describe('escalation', () => {
  it('with no acknowledgement the next tier receives it after the timeout, then the next', async () => {
    h.startWorker();
    const r = await trigger();
    await until(() => h.outbox.chats('e1').length > 0);
    expect(h.outbox.chats('e1')).toEqual([h.chats['应急协调中心']]);
    const e1 = h.outbox.sent.find((s) => s.message.id.includes(':e1:'))!.message.reply;
    expect(e1.title).toContain('【升级·第1次】');
    await until(() => h.outbox.chats('e2').length > 0);
    expect(h.outbox.chats('e2')).toEqual([h.chats['市政府总值班室']]);
    const a = await h.store.get(r.alert.id);
    expect(a?.step).toBe(2);
    expect((await h.store.timeline(r.alert.id)).filter((e) => e.kind === 'escalated')).toHaveLength(2);
  });

  it('an acknowledgement before the timeout stops it — even after a worker restart with a stale job', async () => {
    const r = await trigger();
    const group = await h.service.groupFor(r.alert.id, { platform: 'telegram', chatId: h.chats['上海应急']!.split(':')[1]! }, false);
    expect(group).toBe('上海应急');
    await h.service.acknowledge(r.alert.id, group, by);
    expect(await h.escalations.queue.getJob(escalationJobId(r.alert.id, 1))).toBeUndefined();

    // A stale job, as if the removal had raced or a worker had died holding it, then a fresh worker.
    await h.escalations.schedule(r.alert.id, 1, 50);
    const w1 = h.startWorker();
    await until(async () => ((await h.escalations.queue.getJobCounts('completed')).completed ?? 0) >= 1);
    await w1.close();
    await h.escalations.schedule(r.alert.id, 2, 10);
    h.startWorker();
    await until(async () => ((await h.escalations.queue.getJobCounts('completed')).completed ?? 0) >= 2);
    await new Promise((res) => setTimeout(res, 400));
    expect(h.outbox.chats('e1')).toEqual([]);
    expect(h.outbox.chats('e2')).toEqual([]);
    const tl = await h.store.timeline(r.alert.id);
    expect(tl.some((e) => e.kind === 'escalated')).toBe(false);
    expect(tl.find((e) => e.kind === 'acknowledged')).toMatchObject({ group: '上海应急', by: 'telegram:42', name: '值班员' });
  });

  it('a repeated step job never escalates twice', async () => {
    h.startWorker();
    const r = await trigger({ level: 'IV', skipPreview: true });
    await until(() => h.outbox.chats('e1').length > 0);
    expect(await h.service.escalate(r.alert.id, 1)).toBe(false);
    expect(await h.service.escalate(r.alert.id, 3)).toBe(false);
    expect(h.outbox.chats('e1')).toHaveLength(1);
    expect((await h.store.timeline(r.alert.id)).filter((e) => e.kind === 'escalated')).toHaveLength(1);
    expect((await h.store.stats(false)).escalated).toBe(1);
  });
});

describe('escalation jobs lost with a failover', () => {
  it('are re-armed at worker start: the open alert escalates once, on time; an acknowledged one stays quiet', async () => {
    const lost = await trigger();
    const acked = await trigger({ region: '红河', forceNew: true });
    await h.service.acknowledge(acked.alert.id, '上海应急', by);
    // As if the failover had dropped the delayed jobs: the promoted replica never had them.
    for (const r of [lost, acked]) await h.escalations.queue.remove(escalationJobId(r.alert.id, 1));
    expect(await h.escalations.queue.getJob(escalationJobId(lost.alert.id, 1))).toBeUndefined();

    expect(await h.service.rearmEscalations()).toBe(1);
    // Twice (two worker processes starting): still one job, one step.
    expect(await h.service.rearmEscalations()).toBe(1);
    const job = await h.escalations.queue.getJob(escalationJobId(lost.alert.id, 1));
    // Due at the send instant (the harness clock stands still) plus level II's 300 ms.
    expect(job?.opts.delay).toBe(300);
    expect(await h.escalations.queue.getJob(escalationJobId(acked.alert.id, 1))).toBeUndefined();

    h.startWorker();
    await until(() => h.outbox.chats('e1').length > 0);
    await until(() => h.outbox.chats('e2').length > 0);
    expect(h.outbox.chats('e1')).toEqual([h.chats['应急协调中心']]);
    expect((await h.store.timeline(lost.alert.id)).filter((e) => e.kind === 'escalated')).toHaveLength(2);
    expect((await h.store.timeline(acked.alert.id)).some((e) => e.kind === 'escalated')).toBe(false);
    // Every step taken: nothing is left to re-arm.
    expect(await h.service.rearmEscalations()).toBe(0);
  });
});

describe('acknowledgement, ownership, status', () => {
  it('records per group, refuses chats outside the alert, shows who in status and timeline', async () => {
    const r = await trigger();
    await h.outbox.deliverAll(h.clock.now());
    const wenshan = { platform: 'telegram' as const, chatId: h.chats['文山应急']!.split(':')[1]! };
    await expect(h.service.groupFor(r.alert.id, { platform: 'telegram', chatId: '999' }, false)).rejects.toBeInstanceOf(UserError);
    expect(await h.service.groupFor(r.alert.id, { platform: 'telegram', chatId: '999' }, true)).toContain('telegram:999');
    h.clock.advance(60_000);
    await h.service.own(r.alert.id, '文山应急', { key: 'telegram:7', name: '李州长' });
    const again = await h.service.acknowledge(r.alert.id, await h.service.groupFor(r.alert.id, wenshan, false), by);
    expect(again.first).toBe(false);
    const s = await h.service.status(r.alert.id);
    expect(s.alert.acks['文山应急']).toMatchObject({ by: 'telegram:7', name: '李州长' });
    expect(s.alert.owners['文山应急']).toMatchObject({ by: 'telegram:7' });
    const text = s.reply.blocks.map((b) => b.text).join('\n');
    expect(text).toContain('文山应急：收到（李州长（telegram:7） 11-22 14:01）；负责人 李州长');
    expect(text).toContain('上海应急：未确认');
    const kinds = s.timeline.map((e) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['created', 'sent']);
    expect(kinds.filter((k) => k === 'delivered')).toHaveLength(3);
    expect(kinds).toContain('acknowledged');
    expect(kinds).toContain('owned');
    await h.service.resolve(r.alert.id, '灾情稳定，转入恢复重建', by);
    await expect(h.service.acknowledge(r.alert.id, '上海应急', by)).rejects.toBeInstanceOf(UserError);
    expect((await h.service.status(r.alert.id)).timeline.at(-1)).toMatchObject({ kind: 'resolved', text: '灾情稳定，转入恢复重建' });
    expect(h.outbox.chats('r')).toHaveLength(3);
    expect(await h.store.open(false)).toEqual([]);
  });
});

describe('duplicates: pending previews and graver triggers', () => {
  it('a pending III–IV preview is never joined: a repeat starts fresh, and a grave one goes out at once', async () => {
    const preview = await trigger({ level: 'IV' });
    expect(preview.kind).toBe('preview');
    const again = await trigger({ level: 'IV', text: '第二报' });
    expect(again.kind).toBe('preview');
    expect(again.alert.id).not.toBe(preview.alert.id);
    const grave = await trigger({ level: 'II', text: '房屋倒塌' });
    expect(grave.kind).toBe('sent');
    expect(h.outbox.chats('s').length).toBeGreaterThan(0);
    expect((await h.store.timeline(preview.alert.id)).some((e) => e.kind === 'joined')).toBe(false);
    // Once sent, the alert is the one repeats join.
    expect((await trigger({ level: 'II', text: '余震' })).alert.id).toBe(grave.alert.id);
  });

  it('the disaster type is folded for matching: " 地震 " and the Traditional 地震 join the same alert', async () => {
    const first = await trigger({ type: '泥石流' });
    expect((await trigger({ type: ' 泥石流 ', text: '续' })).kind).toBe('joined');
    const tw = await trigger({ type: '洪澇' });
    expect((await trigger({ type: '洪涝', text: '续' })).alert.id).toBe(tw.alert.id);
    expect(first.alert.type).toBe('泥石流');
  });

  it('a graver trigger raises the open alert: leadership is reached, everyone re-notified, escalation re-armed at the new timeout', async () => {
    // IV waits long, I short: an escalation seen soon can only come from the raised level.
    await h.restart({ I: 300, II: 300, III: 60_000, IV: 60_000 });
    h.startWorker();
    const iv = await trigger({ level: 'IV', skipPreview: true });
    expect(h.outbox.chats('s').sort()).toEqual([h.chats['文山应急'], h.chats['上海应急']].sort());
    await h.service.acknowledge(iv.alert.id, '文山应急', by);

    h.clock.advance(5 * 60_000);
    const r = await trigger({ level: 'I', text: '震级修正为7.1级，伤亡扩大' });
    expect(r.kind).toBe('raised');
    expect(r.alert.id).toBe(iv.alert.id);
    expect(r.alert.level).toBe('I');
    const phase = `l${r.alert.step}`;
    expect(h.outbox.chats(phase).sort()).toEqual(
      [h.chats['文山应急'], h.chats['上海应急'], h.chats['应急协调中心'], h.chats['应急领导小组']].sort(),
    );
    const card = h.outbox.sent.find((s) => s.message.id.includes(`:${phase}:`))!.message.reply;
    expect(card.title).toContain('【级别提升】');
    expect(card.title).toContain('I级（特别重大）');
    expect(card.blocks.map((b) => b.text).join('\n')).toContain('震级修正为7.1级，伤亡扩大');
    expect(card.buttons?.[0]?.map((b) => b.action)).toEqual(['alert.ack', 'alert.own']);
    expect(r.alert.acks).toEqual({});
    expect((await h.store.timeline(iv.alert.id)).find((e) => e.kind === 'raised')).toMatchObject({ tier: 'IV→I' });
    expect(await h.store.stats(false)).toMatchObject({ 'level:IV': 0, 'level:I': 1 });

    // I escalates to the duty office after I's timeout, though the IV alert had been acknowledged.
    await until(() => h.outbox.sent.some((s) => /:e\d+:/.test(s.message.id)), 3000);
    const esc = h.outbox.sent.filter((s) => /:e\d+:/.test(s.message.id));
    expect(esc.map((s) => `${s.message.to.platform}:${s.message.to.chatId}`)).toEqual([h.chats['市政府总值班室']]);
    expect(esc[0]!.message.reply.title).toContain('【升级·第1次】');
    const after = (await h.store.get(iv.alert.id))!;
    expect(after.notified.map((x) => x.group)).toContain('市政府总值班室');

    // Updates reach everyone notified at either level; a milder repeat joins as before.
    expect((await trigger({ level: 'III', text: '余震' })).kind).toBe('joined');
    expect(h.outbox.chats('u1')).toHaveLength(5);
  });

  it('a stale step job from before the raise stands down', async () => {
    const iv = await trigger({ level: 'IV', skipPreview: true });
    await trigger({ level: 'II', text: '升级' });
    expect(await h.service.escalate(iv.alert.id, 1)).toBe(false);
    expect(h.outbox.sent.some((s) => /:e\d+:/.test(s.message.id))).toBe(false);
  });
});

describe('condolence groups (上海 itself struck)', () => {
  it('cannot acknowledge, and their cards are refreshed as condolence notices, never with buttons', async () => {
    const r = await trigger({ region: '上海', level: 'II' });
    expect(r.kind).toBe('sent');
    const condolence = r.alert.plan.initial.filter((x) => x.role === 'condolence').map((x) => x.group);
    expect(condolence).toContain('文山应急');
    await h.outbox.deliverAll(h.clock.now());
    const wenshan = { platform: 'telegram' as const, chatId: h.chats['文山应急']!.split(':')[1]! };
    // Not even an emergency-role holder acknowledges for a condolence group.
    await expect(h.service.groupFor(r.alert.id, wenshan, true)).rejects.toThrow(/慰问通报/);
    expect(await h.escalations.queue.getJob(escalationJobId(r.alert.id, 1))).toBeDefined();

    const acked = await h.service.acknowledge(r.alert.id, await h.service.groupFor(r.alert.id, { platform: 'telegram', chatId: h.chats['上海应急']!.split(':')[1]! }, false), by);
    h.service.refreshCards(acked.alert);
    await h.service.idle();
    const byChat = new Map(h.edits.map((e) => [`${e.to.platform}:${e.to.chatId}`, e.reply]));
    for (const g of condolence) {
      const card = byChat.get(h.chats[g]!)!;
      expect(card.title).toContain('慰问通报');
      expect(card.buttons ?? []).toEqual([]);
    }
    const live = byChat.get(h.chats['应急领导小组']!)!;
    expect(live.buttons?.[0]?.map((b) => b.action)).toEqual(['alert.ack', 'alert.own']);
  });
});
