/** Integrity of seeds/: every pairing and deadline points at an existing clause, every region resolves. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knowledge } from '../../src/knowledge/knowledge.ts';
import { foldCompact } from '../../src/knowledge/fold.ts';
import { DEFAULT_SEEDS_DIR } from '../../src/knowledge/sources.ts';
import { loadSeedKnowledge } from '../support/seeds.ts';

let k: Knowledge;
beforeAll(async () => {
  k = await loadSeedKnowledge();
});

const json = (f: string) => JSON.parse(readFileSync(`${DEFAULT_SEEDS_DIR}/${f}`, 'utf8')) as { id: string }[];

describe('seed data integrity', () => {
  it('loads every file of seeds/ with entries in each', () => {
    expect(k.docs.length).toBeGreaterThanOrEqual(6);
    expect(k.gazetteer.regions.length).toBeGreaterThan(20);
    expect(k.pairings.all.length).toBeGreaterThan(20);
    expect(k.deadlines.all.length).toBeGreaterThan(20);
  });

  it('has no duplicate ids in any file, nor across clauses', () => {
    for (const f of ['regions.json', 'pairings.json', 'deadlines.json']) {
      const ids = json(f).map((x) => x.id);
      expect(new Set(ids).size, f).toBe(ids.length);
    }
    expect(new Set(k.clauses.map((c) => c.id)).size).toBe(k.clauses.length);
  });

  it('resolves every pairing and deadline source to a clause of that document containing the quote', () => {
    for (const x of [...k.pairings.all, ...k.deadlines.all]) {
      const c = k.clause(x.clause.id);
      expect(c, x.id).toBeDefined();
      expect(c!.docId, x.id).toBe(x.source.doc);
      const inText = foldCompact(c!.text).includes(foldCompact(x.source.quote)) || foldCompact(c!.raw).includes(foldCompact(x.source.quote));
      expect(inText, x.id).toBe(true);
      expect(c!.citation.length).toBeGreaterThan(4);
    }
  });

  it('resolves every region named by pairings and deadlines, and every parent', () => {
    for (const p of k.pairings.all) {
      expect(k.gazetteer.has(p.from), p.id).toBe(true);
      expect(k.gazetteer.has(p.to), p.id).toBe(true);
    }
    for (const d of k.deadlines.all) for (const r of d.regions) expect(k.gazetteer.has(r), d.id).toBe(true);
    for (const r of k.gazetteer.regions) if (r.parent) expect(k.gazetteer.has(r.parent), r.id).toBe(true);
  });

  it('every name of every region resolves back to it', () => {
    for (const r of k.gazetteer.regions) {
      for (const n of [r.name, ...r.short, ...r.aliases, ...r.traditional]) expect(k.gazetteer.resolve(n), `${r.id}: ${n}`).toContain(r.id);
    }
  });

  it('the brief’s relationships are there: 十一五 support targets, 沪遵 handed over, 杭州 joining 上海, city pairs', () => {
    const ids = (from: string, to: string) => k.pairings.between(from, to).map((p) => p.kind);
    expect(ids('shanghai', 'xigaze')).toContain('对口支援');
    expect(ids('shanghai', 'aksu')).toContain('对口支援');
    expect(ids('shanghai', 'wenshan')).toContain('对口帮扶');
    expect(k.pairings.between('shanghai', 'zunyi').some((p) => p.status === 'handed-over')).toBe(true);
    expect(ids('hangzhou', 'shanghai')).toContain('接轨');
    expect(ids('panjin', 'wuxi')).toContain('结对合作');
    expect(ids('jinpu', 'pudong').length).toBeGreaterThan(0);
  });
});
