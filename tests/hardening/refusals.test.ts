/**
 * Issue 11, points 1, 2, 3 and 7, through the real router and app against a private
 * redis-server: words that name Object.prototype members select nothing, unknown or bare flags
 * are refused before anything is stored or sent, every refusal of a button is audited, and
 * `/deadline add --remind` is capped like `/meeting add`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedGroups, seedRouting } from '../alerts/fixture.ts';
import { COORDINATOR, type Harness, makeGroup, sleep, startHarness, text } from '../meetings/harness.ts';
import type { Destination, UserRef } from '../../src/messages.ts';
import { msg } from '../../src/i18n/index.ts';

let h: Harness;
const STRANGER: UserRef = { platform: 'telegram', id: '7007', name: '路人' };
const STRANGER_CHAT: Destination = { platform: 'telegram', chatId: '-7007' };

beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedGroups(h.app.services.groups, seedRouting());
  await makeGroup(h, 'g3', [{ platform: 'telegram', chatId: '-4002' }]);
});
afterAll(async () => {
  await h?.close();
});

async function members(name: string): Promise<string[]> {
  const g = await h.app.services.groups.get(name);
  return (g?.members ?? []).map((m) => `${m.to.platform}:${m.to.chatId}`);
}
const actions = async () => (await h.app.services.audit.latest(200)).map((e) => e.action);

describe('words that name Object.prototype members (issue 11 #1)', () => {
  it('`/group constructor` and `/group __proto__` are unknown subcommands and change nothing', async () => {
    for (const cmd of ['/group constructor g3 telegram:-4002', '/group __proto__ g3', '/group toString g3', '/group hasOwnProperty g3']) {
      const r = await h.say(cmd);
      expect(r.tone, cmd).toBe('error');
      expect(text(r), cmd).not.toMatch(/function|native code|E[0-9A-Z]{8}/);
    }
    expect(await members('g3')).toEqual(['telegram:-4002']);
    expect((await actions()).filter((a) => a.startsWith('group.'))).toEqual([]);
  });

  it('`/deadline constructor` and `/deadline __proto__` get an answer, never an internal error', async () => {
    for (const cmd of ['/deadline constructor', '/deadline __proto__', '/deadline valueOf']) {
      const r = await h.say(cmd);
      expect(r.tone, cmd).not.toBe('internal');
      expect(text(r).trim().length, cmd).toBeGreaterThan(0);
      expect(text(r), cmd).not.toMatch(/function|native code/);
    }
  });

  it('`/meeting rsvp M1 constructor` is refused; no answer is recorded', async () => {
    const add = await h.say('/meeting add "原型会" 2027-01-10 09:30 g3');
    expect(add.tone, text(add)).toBe('notice');
    const id = /M\d+/.exec(text(add))![0];
    for (const word of ['constructor', '__proto__', 'toString']) {
      const r = await h.say(`/meeting rsvp ${id} ${word}`);
      expect(r.tone, word).toBe('error');
      expect(text(r), word).not.toMatch(/function|native code/);
    }
    const m = (await h.app.services.meetings.get(id))!;
    expect((await h.app.services.meetings.tally(m)).entries).toEqual([]);
  });

  it('a forged press naming a prototype member gets the stale-button toast', async () => {
    for (const action of ['broadcast.__proto__', 'broadcast.constructor', 'meeting.toString', 'alert.hasOwnProperty', '__proto__.x', 'constructor.constructor']) {
      const r = await h.press(action, 'x');
      expect(r.toast, action).toBe(msg.common.staleButton);
      expect(r.edit, action).toBeUndefined();
    }
  });
});

describe('unknown and bare flags are refused before anything is stored or sent (issue 11 #2)', () => {
  it('`/alert … --remidn 1h …` is refused with the usage line; no alert, nothing sent', async () => {
    const r = await h.say('/alert 红河 洪涝 II 河水上涨 --remidn 1h 请立即转移下游群众');
    expect(r.tone).toBe('error');
    expect(r.blocks[0]!.text).toContain('--remidn');
    expect(r.footer).toMatch(/^用法：\/alert/);
    await sleep(300);
    expect(h.received()).toEqual([]);
    expect(text(await h.say('/alert status'))).not.toContain('河水上涨');
  });

  it('`/group add … --foo` is refused and not stored; `/audit --remidn 5` and `/deadline 大连 --overdeu` are refused', async () => {
    const r = await h.say('/group add g3 telegram:-4003 --foo');
    expect(r.tone).toBe('error');
    expect(r.blocks[0]!.text).toContain('--foo');
    expect(await members('g3')).toEqual(['telegram:-4002']);
    const a = await h.say('/audit --remidn 5');
    expect(a.tone).toBe('error');
    expect(a.blocks[0]!.text).toContain('--remidn');
    const d = await h.say('/deadline 大连 --overdeu');
    expect(d.tone).toBe('error');
    expect(d.blocks[0]!.text).toContain('--overdeu');
    expect(d.blocks[0]!.text).toContain('--overdue');
    const bare = await h.say('/audit --action');
    expect(bare.blocks[0]!.text).toContain('--action 后面缺少取值');
  });
});

describe('every refusal of a button press is audited (issue 11 #3)', () => {
  it('alert.confirm and alert.cancel without the role, alert.ack and /ack from a chat the alert never reached', async () => {
    const r = await h.say('/alert 文山 地震 IV 局地小震，暂无损失');
    const id = /A-\d{8}-\d{2}/.exec(text(r))![0];
    const before = (await actions()).length;
    const say = (t: string) => h.say(t, STRANGER, STRANGER_CHAT);
    const press = (action: string) => h.app.router.press({ platform: 'telegram', chat: STRANGER_CHAT, chatType: 'group', user: STRANGER, text: '', receivedAt: new Date(), press: { action, value: id } }, h.app.services);
    for (const a of ['alert.confirm', 'alert.cancel', 'alert.ack', 'alert.own']) {
      const t = await press(a);
      expect(t.toast, a).toBeTruthy();
      expect(t.edit, a).toBeUndefined();
    }
    expect((await say(`/ack ${id}`)).tone).toBe('error');
    const denied = (await h.app.services.audit.latest(200)).filter((e) => e.action.endsWith('.denied') && e.user === 'telegram:7007');
    expect(denied.map((e) => e.action).sort()).toEqual(['ack.denied', 'alert.ack.denied', 'alert.cancel.denied', 'alert.confirm.denied', 'alert.own.denied']);
    expect((await actions()).length).toBe(before + 5);
    // Role names in Chinese, as /audit shows them (issue 11 #11).
    expect(denied.find((e) => e.action === 'alert.confirm.denied')!.detail).toBe('需要 应急');
    const shown = text(await h.say('/audit 10 --action alert.confirm'));
    expect(shown).toContain('需要 应急');
    expect(shown).not.toMatch(/coordinator|emergency/);
    // The preview still waits for confirmation: nothing went out on the refused presses.
    expect(text(await h.say(`/alert status ${id}`, COORDINATOR))).toContain(id);
  });
});

describe('/deadline add --remind is capped like /meeting add (issue 11 #7)', () => {
  it('nine offsets are refused with the same message; nothing is stored', async () => {
    const many = Array.from({ length: 9 }, (_, i) => `${i + 1}d`).join(',');
    const d = await h.say(`/deadline add 报送 2027-03-31 g3 --remind ${many}`);
    const m = await h.say(`/meeting add "多提醒" 2027-03-31 09:00 g3 --remind ${many}`);
    expect(d.tone).toBe('error');
    expect(m.tone).toBe('error');
    expect(d.blocks[0]!.text).toBe(m.blocks[0]!.text);
    expect(await h.app.services.officeDeadlines.list()).toEqual([]);
    const ok = await h.say(`/deadline add 报送 2027-03-31 g3 --remind ${Array.from({ length: 8 }, (_, i) => `${i + 1}d`).join(',')}`);
    expect(ok.tone, text(ok)).toBe('notice');
  });
});
