import { describe, expect, it } from 'vitest';
import { DEFAULT_SEEDS_DIR } from '../../src/app.ts';
import { StartupError } from '../../src/errors.ts';
import { Knowledge } from '../../src/knowledge/knowledge.ts';
import { loadTemplates, parseTemplates, resolveTemplates } from '../../src/scheduling/templates.ts';

describe('seeds/meetings.json', () => {
  it('holds the standing meeting systems, each resolving to the clause that sets it up', async () => {
    const knowledge = await Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR });
    const templates = resolveTemplates(await loadTemplates(DEFAULT_SEEDS_DIR), knowledge);
    const ids = templates.map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining(['sh-two-level-joint', 'sh-dl-lead-joint', 'ln-js-high-level']));
    for (const t of templates) expect(t.citation, t.id).toMatch(/^《.+》/);
    const lead = templates.find((t) => t.id === 'sh-dl-lead-joint')!;
    expect(lead.every).toEqual({ kind: 'yearly' });
    expect(lead.citation).toContain('大連');
  });

  it('a bad entry stops start-up naming the file, the entry and the reason', async () => {
    const knowledge = await Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR });
    const bad = parseTemplates([{ id: 'x-y', title: '某会议', source: { doc: 'sh-dl-coop', quote: '文件里没有这句话' } }]);
    expect(() => resolveTemplates(bad, knowledge)).toThrow(StartupError);
    expect(() => resolveTemplates(bad, knowledge)).toThrow(/meetings\.json.*x-y.*找不到/);
    expect(() => parseTemplates([{ id: 'y', title: 't', every: 'fortnightly', source: { doc: 'a', quote: 'b' } }])).toThrow(/every/);
    expect(() => parseTemplates([{ id: 'Bad Id', title: 't', source: { doc: 'a', quote: 'b' } }])).toThrow(StartupError);
  });
});
