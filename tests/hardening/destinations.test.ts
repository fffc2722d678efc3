/**
 * Issue 11 #8: `/group add` stores only addresses of the platform's form, on platforms this
 * deployment sends to; everything else is refused with a Chinese reason and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, makeGroup, startHarness, text } from '../meetings/harness.ts';
import { RecordingSender } from '../delivery/harness.ts';

let h: Harness;
let tgOnly: Harness;

beforeAll(async () => {
  h = await startHarness({ workers: false });
  tgOnly = await startHarness({ workers: false, senders: { telegram: new RecordingSender('telegram') } });
  await makeGroup(h, 'v组', []);
  await makeGroup(tgOnly, 'v组', []);
});
afterAll(async () => {
  await h?.close();
  await tgOnly?.close();
});

const members = async (hh: Harness) => ((await hh.app.services.groups.get('v组'))?.members ?? []).map((m) => `${m.to.platform}:${m.to.chatId}${m.to.threadId ? `:${m.to.threadId}` : ''}`);

describe('/group add validates each address', () => {
  it('the five bad addresses of the report are refused together and one by one; nothing is stored', async () => {
    const all = await h.say('/group add v组 telegram:abc telegram:-100:abc console:x slack:C1 telegram:-2026-00-10');
    expect(all.tone).toBe('error');
    expect(all.footer).toMatch(/^用法：\/group/);
    for (const bad of ['telegram:abc', 'telegram:-100:abc', 'slack:C1', 'slack:c0123abcde', 'telegram:-2026-00-10', 'telegram:0', 'slack:U0123ABCDE']) {
      const r = await h.say(`/group add v组 ${bad}`);
      expect(r.tone, bad).toBe('error');
      expect(r.blocks[0]!.text, bad).toContain(`“${bad}”不是有效的`);
    }
    const console_ = await h.say('/group add v组 console:x');
    expect(console_.blocks[0]!.text).toContain('本部署没有配置 console 平台');
    expect(await members(h)).toEqual([]);
    // A valid address with a bad one: the whole command is refused, the valid one not half-added.
    expect((await h.say('/group add v组 telegram:-1001234567890 slack:C1')).tone).toBe('error');
    expect(await members(h)).toEqual([]);
  });

  it('well-formed addresses on configured platforms are stored', async () => {
    const r = await h.say('/group add v组 telegram:-1001234567890 telegram:-1001234567890:42 slack:C0123ABCDE telegram:@hulian_notice');
    expect(r.tone, text(r)).toBe('notice');
    expect((await members(h)).sort()).toEqual(['slack:C0123ABCDE', 'telegram:-1001234567890', 'telegram:-1001234567890:42', 'telegram:@hulian_notice']);
  });

  it('a platform this deployment has no sender for is refused, naming the configured ones', async () => {
    const r = await tgOnly.say('/group add v组 slack:C0123ABCDE');
    expect(r.tone).toBe('error');
    expect(r.blocks[0]!.text).toBe('本部署没有配置 slack 平台，发往那里的消息无法送达，因此不能加入。已配置的平台：telegram。');
    expect(await members(tgOnly)).toEqual([]);
  });
});
