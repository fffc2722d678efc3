/**
 * What a change to a meeting or a group does to what hangs on it: a moved meeting's RSVPs start
 * afresh (the move notice asks the group to confirm again), and a group that meetings or
 * deadlines still remind cannot be deleted.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { idOf, makeGroup, OFFICIAL, text, useHarness } from './harness.ts';

const clock = new ManualClock(Date.UTC(2026, 10, 23, 9, 0));
const h = useHarness({ clock, workers: false, groups: { 沪连: [{ platform: 'telegram', chatId: '-3201' }] } });

describe('RSVPs and moves', () => {
  it('answers given before a move do not count for the new time', async () => {
    const id = idOf(await h.say('/meeting add "改期回执会" 2026-12-10 09:30 沪连 --remind 1d'));
    await h.press('meeting.yes', id, OFFICIAL);
    expect((await h.app.services.meetings.tally((await h.app.services.meetings.get(id))!)).yes).toBe(1);
    await h.say(`/meeting move ${id} 2026-12-12 09:30`);
    const moved = (await h.app.services.meetings.get(id))!;
    expect(await h.app.services.meetings.tally(moved)).toMatchObject({ yes: 0, no: 0, delegate: 0, entries: [] });
    await h.press('meeting.no', id, OFFICIAL);
    expect(text(await h.say(`/meeting show ${id}`, OFFICIAL))).toContain('参加 0｜不参加 1｜委派他人 0');
  });
});

describe('/group delete', () => {
  it('is refused while a meeting or deadline uses the group, naming them; allowed once they are gone', async () => {
    await makeGroup(h, '沪喀', [{ platform: 'telegram', chatId: '-3202' }]);
    const m = idOf(await h.say('/meeting add "沪喀会" 2026-12-10 09:30 沪喀'));
    const d = idOf(await h.say('/deadline add 报送 2026-12-31 沪喀'));
    const refused = await h.say('/group delete 沪喀');
    expect(refused.tone).toBe('error');
    expect(refused.blocks[0]!.text).toContain(`仍被 ${m}、${d} 使用`);
    expect(await h.app.services.groups.get('沪喀')).toBeDefined();
    await h.say(`/meeting cancel ${m}`);
    await h.say(`/deadline done ${d}`);
    expect(text(await h.say('/group delete 沪喀'))).toContain('已删除');
  });
});
