import { describe, expect, it } from 'vitest';
import { fold } from '../../src/knowledge/fold.ts';
import { SearchIndex } from '../../src/knowledge/search-index.ts';
import { indexTerms, queryTerms, stripQuestionWords } from '../../src/knowledge/tokenize.ts';
import { Knowledge } from '../../src/knowledge/knowledge.ts';
import { DEFAULT_SEEDS_DIR } from '../../src/app.ts';

describe('tokenize', () => {
  it('indexes Han unigrams and bigrams and ASCII words; queries use bigrams', () => {
    expect(indexTerms('对口合作6122工程')).toEqual(['对', '对口', '口', '口合', '合', '合作', '作', '6122', '工', '工程', '程']);
    expect(queryTerms('对口合作 6122 工')).toEqual(['对口', '口合', '合作', '6122', '工']);
    expect(stripQuestionWords(fold('驻外办事机构应发挥什么作用'))).toBe('驻外办事机构应发挥 作用');
  });
});

describe('SearchIndex', () => {
  const docs = ['上海对口支援日喀则', '上海与大连对口合作', '大连金普新区', '日喀则 日喀则 日喀则 安康工程'];
  const idx = new SearchIndex(docs.map(fold));

  it('ranks by BM25: rarer terms and repeated terms weigh more', () => {
    expect(idx.search(fold('日喀则'), 10).hits.map((h) => h.doc)).toEqual([3, 0]);
    expect(idx.search(fold('大连对口合作'), 10).hits[0]!.doc).toBe(1);
    expect(idx.search(fold('火星'), 10).hits).toEqual([]);
  });

  it('counts matched query terms for coverage', () => {
    const r = idx.search(fold('大连金普'), 10);
    expect(r.queryTerms).toBe(3);
    expect(r.hits[0]).toMatchObject({ doc: 2, matched: 3 });
  });

  it('block-max MaxScore returns exactly what the exhaustive ranking returns, across windows', async () => {
    const k = await Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR });
    const texts = k.clauses.map((c) => k.indexText(c));
    const ctx = k.clauses.map((c) => k.contextText(c));
    // Seven copies span two 2048-document windows, so window bounds and skips are exercised.
    const copies = 7;
    const big = new SearchIndex(
      Array.from({ length: copies }, () => texts).flat(),
      Array.from({ length: copies }, () => ctx).flat(),
    );
    expect(big.size).toBeGreaterThan(2048);
    const queries = ['对口支援日喀则的重点', '合作交流专项资金', '上海与大连两地产业联动、园区共建、科技创新合作', '遼寧與江蘇', '2020', '干部', '长三角紧缺人才培训', '上海对内开放与合作交流十四五规划的目标年份'];
    for (const q of queries) {
      const f = Knowledge.prepareQuery(q);
      const pruned = big.search(f, 10).hits;
      // With k above the corpus size the threshold never rises, so nothing is pruned.
      const full = big.search(f, big.size + 1).hits.slice(0, 10);
      expect(pruned.length, q).toBeGreaterThan(0);
      expect(pruned, q).toEqual(full);
      // Copies of one clause tie exactly (integer impacts), and the earlier copy ranks first.
      const best = pruned[0]!.doc % texts.length;
      const copiesOfBest = pruned.filter((h) => h.doc % texts.length === best);
      expect(new Set(copiesOfBest.map((h) => h.score)).size, q).toBe(1);
      expect(copiesOfBest.map((h) => h.doc), q).toEqual([...copiesOfBest.map((h) => h.doc)].sort((a, b) => a - b));
    }
  });
});
