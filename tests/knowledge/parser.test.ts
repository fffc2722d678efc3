import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlanText } from '../../src/knowledge/corpus.ts';
import { outline, parseDocument, parseNumeral } from '../../src/knowledge/parser.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PLANS = `${ROOT}seeds/plans`;
const FIXTURES = `${ROOT}tests/fixtures`;

const plan = (id: string) => loadPlanText(readFileSync(`${PLANS}/${id}.md`, 'utf8'), `${id}.md`, true);
const byRef = (doc: ReturnType<typeof plan>, ref: string) => doc.clauses.find((c) => c.ref === ref);

describe('parseNumeral', () => {
  it('reads Chinese and Arabic numerals', () => {
    expect(parseNumeral('十四')).toBe(14);
    expect(parseNumeral('二十')).toBe(20);
    expect(parseNumeral('一百零五')).toBe(105);
    expect(parseNumeral('三')).toBe(3);
    expect(parseNumeral('12')).toBe(12);
    expect(parseNumeral('甲')).toBeUndefined();
  });
});

describe('parser on the statute fixture (第X章/第X节/第X条)', () => {
  const doc = loadPlanText(readFileSync(`${FIXTURES}/statute.txt`, 'utf8'), `${FIXTURES}/statute.txt`, false);

  it('takes the title from the first line and builds chapters ▸ sections ▸ articles ▸ items', () => {
    expect(doc.meta.title).toBe('某市对口协作促进条例');
    expect(doc.clauses).toHaveLength(17);
    expect(outline(doc)).toEqual([
      '第一章 总则',
      '  第一条 为了规范和促进本市对口协作工作，根据有关法律、行…',
      '  第二条 本条例适用于本市行政区域内开展的对口支援、对口帮扶和对口合作工作',
      '第二章 协作机制',
      '  第一节 联席会议',
      '    第三条 市人民政府建立对口协作联席会议制度，每年至少召开一次全体会议',
      '    第四条 联席会议履行下列职责：',
      '      （一）研究制定年度协作计划',
      '      （二）协调解决协作中的重大问题',
      '      （三）督促检查协作项目的落实情况',
      '  第二节 资金保障',
      '    第五条 市财政设立对口协作专项资金，主要用于：',
      '      1．受援地区民生项目',
      '      2．产业合作园区建设',
      '      3．干部人才培训',
      '第三章 附则',
      '  第六条 本条例自2026年1月1日起施行',
    ]);
  });

  it('cites articles by their document-wide number and gives structural ids', () => {
    const a4 = doc.clauses.find((c) => c.label === '第四条')!;
    expect(a4.id).toBe('statute#c2.s1.a4');
    expect(a4.citation).toBe('《某市对口协作促进条例》第四条');
    const item = doc.clauses.find((c) => c.parent === a4.id && c.num === 2)!;
    expect(item.citation).toBe('《某市对口协作促进条例》第四条（二）');
    const money = doc.clauses.find((c) => c.text.startsWith('产业合作园区建设'))!;
    expect(money.citation).toBe('《某市对口协作促进条例》第五条2');
    expect(doc.clauses.find((c) => c.label === '第一节')!.citation).toBe('《某市对口协作促进条例》第二章第一节');
    expect(doc.clauses.find((c) => c.label === '第三章')!.heading).toBe('附则');
  });

  it('reads half-width markers the same as full-width ones', () => {
    const half = parseDocument('第1章 总则\n第1条 (一)甲项内容。\n1. 第一点。\n(2) 第二点。', { docId: 'h', title: '半角' });
    expect(half.clauses.map((c) => c.kind)).toEqual(['chapter', 'article', 'arabic', 'paren-arabic']);
    expect(half.clauses[1]!.text).toBe('(一)甲项内容。');
  });
});

describe('parser on every seed plan', () => {
  it('parses each plan into a tree with unique ids and non-empty citations', () => {
    const files = readdirSync(PLANS).filter((f) => f.endsWith('.md'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const doc = plan(f.replace(/\.md$/, ''));
      expect(doc.clauses.length, f).toBeGreaterThan(10);
      expect(new Set(doc.clauses.map((c) => c.id)).size, f).toBe(doc.clauses.length);
      for (const c of doc.clauses) {
        expect(c.citation.startsWith(`《${doc.meta.title}》`), c.id).toBe(true);
        expect(c.citation.length, c.id).toBeGreaterThan(doc.meta.title.length + 2);
      }
    }
  });

  it('sh-fyp11: 三（二）1（2） with bullets; the notice preamble is kept apart', () => {
    const doc = plan('sh-fyp11');
    expect(doc.clauses).toHaveLength(112);
    const c = byRef(doc, '三（二）1（2）')!;
    expect(c.id).toBe('sh-fyp11#3.2.1.2');
    expect(c.citation).toBe('《上海市服务全国和对口帮扶“十一五”规划》三（二）1（2）');
    expect(c.heading).toBe('对口支援新疆阿克苏地区');
    expect(c.children.map((id) => doc.clauses.find((x) => x.id === id)!.kind)).toEqual(['bullet', 'bullet', 'bullet', 'bullet']);
    expect(byRef(doc, '三（二）1（2）第4项')!.text).toContain('“6122”工程');
    // A sentence broken across lines in the source is joined back.
    expect(byRef(doc, '二（三）2')!.text).toContain('实现跨地区联动发展。');
    expect(doc.roots.length).toBeGreaterThan(4);
  });

  it('sh-coop-2004: heading and body on one line; the web-page junk is gone', () => {
    const doc = plan('sh-coop-2004');
    expect(doc.clauses).toHaveLength(15);
    expect(doc.clauses.map((c) => c.ref)).toEqual(['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五']);
    expect(doc.clauses.some((c) => /导语|不代表本站观点|时间:/.test(c.text))).toBe(false);
    expect(byRef(doc, '十三')!.text).toContain('两级政府国内合作交流联席会议制度');
  });

  it('sh-fyp14: numbered items inside （一）, paragraphs as children; the attachment line is gone', () => {
    const doc = plan('sh-fyp14');
    expect(doc.clauses).toHaveLength(87);
    expect(byRef(doc, '一（一）1')!.heading).toBe('助力对口帮扶地区脱贫攻坚取得全面胜利');
    const p = byRef(doc, '三（一）1第2段')!;
    expect(p.text.startsWith('防止发生规模性返贫')).toBe(true);
    expect(doc.clauses.some((c) => /附件下载|解读材料/.test(c.text))).toBe(false);
  });

  it('the two plans of seed 003 (Traditional) parse separately, without the news banner', () => {
    const ln = plan('ln-js-coop');
    expect(ln.clauses).toHaveLength(42);
    expect(byRef(ln, '四（二）7')!.text).toContain('盤錦市與江蘇省無錫市結對');
    expect(ln.clauses.some((c) => /重磅|擼起袖子/.test(c.text))).toBe(false);
    const dl = plan('sh-dl-coop');
    expect(dl.clauses).toHaveLength(48);
    expect(byRef(dl, '三（一）')!.text).toContain('三級工作保障機制');
    expect(byRef(dl, '一（二）第1项')!.text.startsWith('政府引導、市場運作')).toBe(true);
  });

  it('hz-2011-jiegui: the task table rows become clauses cited as 附表第N项; the repeat is gone', () => {
    const doc = plan('hz-2011-jiegui');
    const rows = doc.clauses.filter((c) => c.kind === 'row');
    expect(rows.length).toBeGreaterThanOrEqual(26);
    const r19 = byRef(doc, '附表第19项')!;
    expect(r19.citation).toBe('《杭州市2011年接轨上海、参与长三角合作与交流工作意见》附表第19项');
    expect(r19.text).toContain('促成20项科研开发合作项目');
    expect(r19.cells?.['责任部门']).toBe('市科技局');
    expect(doc.clauses.filter((c) => c.ref === '一').length).toBe(1);
  });
});
