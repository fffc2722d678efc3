import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRoutingRules, effectiveTimeouts, parseTimeoutOverrides } from '../../src/alerts/rules.ts';
import { StartupError } from '../../src/errors.ts';
import { seedGraph, seedRouting } from './fixture.ts';

const routing = seedRouting();
const groups = (rs: { group: string }[]) => rs.map((r) => r.group);

describe('alert routing over the seeds', () => {
  it('a prefecture (文山): its own group, 上海 as partner, leadership at once for II, coordination on escalation', () => {
    const r = routing.graph.lookup('文山');
    expect(r.kind).toBe('one');
    const plan = routing.plan('wenshan', 'II', false);
    expect(groups(plan.initial)).toEqual(['文山应急', '上海应急', '应急领导小组']);
    expect(plan.initial.find((x) => x.group === '文山应急')?.role).toBe('stricken');
    expect(plan.initial.find((x) => x.group === '上海应急')?.role).toBe('partner');
    expect(plan.partners).toContain('shanghai');
    expect(plan.escalation.map((s) => s.tier)).toEqual(['coordination', 'duty']);
    expect(plan.condolence).toBe(false);
  });

  it('III–IV reach only the affected tier at first', () => {
    const plan = routing.plan('wenshan', 'IV', false);
    expect(groups(plan.initial)).toEqual(['文山应急', '上海应急']);
    expect(plan.escalation.map((s) => s.tier)).toEqual(['coordination']);
  });

  it('a county below a paired prefecture (库车 ▸ 阿克苏) reaches the prefecture group; 上海 is no longer its partner', () => {
    const r = routing.graph.lookup('库车');
    expect(r.kind === 'one' && r.region.id).toBe('kuqa');
    const plan = routing.plan('kuqa', 'III', false);
    // 库车 has no group of its own: 阿克苏's stands for it. 上海's support moved from 阿克苏 to 喀什
    // (as /pair says), so 上海 is not named as 阿克苏's current partner.
    expect(plan.initial[0]).toMatchObject({ group: '阿克苏应急', role: 'stricken', region: 'aksu' });
    expect(groups(plan.initial)).not.toContain('上海应急');
    expect(plan.partners).not.toContain('shanghai');
    expect(routing.plan('kashgar', 'III', false).partners).toContain('shanghai');
  });

  it('a renamed region (思茅 → 普洱) resolves to its current name and routes as it', () => {
    const r = routing.graph.lookup('思茅');
    expect(r.kind === 'one' && r.region.id).toBe('puer');
    expect(groups(routing.plan('puer', 'IV', false).initial)).toEqual(['普洱应急', '上海应急']);
  });

  it('上海 itself struck: its partners receive a 慰问 notice; handed-over pairings (遵义) do not', () => {
    const plan = routing.plan('shanghai', 'II', false);
    expect(plan.condolence).toBe(true);
    expect(plan.initial[0]).toMatchObject({ group: '上海应急', role: 'stricken' });
    const condolence = plan.initial.filter((x) => x.role === 'condolence').map((x) => x.group);
    expect(condolence).toEqual(expect.arrayContaining(['文山应急', '日喀则应急', '喀什应急', '大连应急', '杭州应急', '江苏应急']));
    // Handed over (遵义) or moved elsewhere (阿克苏 → 喀什): no longer a partner.
    expect(condolence).not.toContain('遵义应急');
    expect(condolence).not.toContain('阿克苏应急');
    expect(plan.initial.some((x) => x.role === 'partner')).toBe(false);
    // A district of 上海 is struck like 上海.
    expect(routing.plan('pudong', 'IV', false).condolence).toBe(true);
  });

  it('drills never reach leadership tiers, neither at once nor by escalation', () => {
    const plan = routing.plan('wenshan', 'I', true);
    const all = [...groups(plan.initial), ...plan.escalation.flatMap((s) => groups(s.recipients))];
    expect(all).not.toContain('应急领导小组');
    expect(all).not.toContain('市政府总值班室');
    expect(all).toContain('应急协调中心');
  });

  it('each group appears once per alert', () => {
    const plan = routing.plan('shanghai', 'I', false);
    const all = [...groups(plan.initial), ...plan.escalation.flatMap((s) => groups(s.recipients))];
    expect(new Set(all).size).toBe(all.length);
  });

  it('unknown and partial names give candidates', () => {
    const none = seedGraph().lookup('火星');
    expect(none.kind).toBe('none');
    const partial = seedGraph().lookup('文山州地震');
    expect(partial.kind === 'none' && partial.suggestions.map((s) => s.id)).toContain('wenshan');
  });
});

describe('routing rules file', () => {
  const text = readFileSync(new URL('../../seeds/alert-routing.json', import.meta.url), 'utf8');

  it('names every tier it uses and has the issue\'s default timeouts', () => {
    const rules = parseRoutingRules(text);
    expect(effectiveTimeouts(rules)).toEqual({ I: 300_000, II: 900_000, III: 1_800_000, IV: 3_600_000 });
    expect(effectiveTimeouts(rules, parseTimeoutOverrides('II=1000'), 0.5)).toMatchObject({ I: 150_000, II: 500 });
  });

  it('every group it names is shipped in seeds/groups.json (loaded by xiezuo seed)', () => {
    const shipped = new Set(
      (JSON.parse(readFileSync(new URL('../../seeds/groups.json', import.meta.url), 'utf8')) as { groups: { name: string }[] }).groups.map((g) => g.name),
    );
    expect(seedRouting().allGroups().filter((g) => !shipped.has(g))).toEqual([]);
  });

  it('a broken file stops start-up naming the path and reason', () => {
    const bad = JSON.parse(text);
    bad.levels.II.escalation = ['nowhere'];
    expect(() => parseRoutingRules(JSON.stringify(bad), 'alert-routing.json')).toThrow(StartupError);
    expect(() => parseRoutingRules(JSON.stringify(bad), 'alert-routing.json')).toThrow(/levels\.II\.escalation\.0: unknown tier "nowhere"/);
    expect(() => parseRoutingRules('{', 'x.json')).toThrow(/x\.json: not valid JSON/);
  });
});
