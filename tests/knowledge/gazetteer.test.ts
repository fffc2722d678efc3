import { describe, expect, it } from 'vitest';
import { StartupError } from '../../src/errors.ts';
import { Gazetteer } from '../../src/knowledge/gazetteer.ts';
import type { Region } from '../../src/knowledge/schema.ts';

const R = (id: string, name: string, parent: string | null, short: string[] = [], extra: Partial<Region> = {}): Region => ({
  id,
  name,
  level: parent ? 'prefecture' : 'province',
  parent,
  short,
  aliases: [],
  traditional: [],
  ...extra,
});

const g = new Gazetteer([
  R('shanghai', '上海市', null, ['上海', '沪'], { traditional: ['滬'] }),
  R('liaoning', '辽宁省', null, ['辽宁', '辽']),
  R('dalian', '大连市', 'liaoning', ['大连', '连']),
  R('guizhou', '贵州省', null, ['贵州', '黔']),
  R('zunyi', '遵义市', 'guizhou', ['遵义', '遵']),
  R('yunnan', '云南省', null, ['云南', '滇']),
  R('puer', '普洱市', 'yunnan', ['普洱'], { renamed: [{ from: '思茅', year: 2007 }] }),
  R('xizang', '西藏自治区', null, ['西藏']),
  R('xigaze', '日喀则市', 'xizang', [], { renamed: [{ from: '日喀则地区', year: 2014 }] }),
  R('jinpu', '大连金普新区', 'dalian', ['金普新区']),
]);

describe('Gazetteer', () => {
  it('resolves names, short names, Traditional forms, old names and suffix-less names', () => {
    expect(g.resolve('大连')).toEqual(['dalian']);
    expect(g.resolve('滬')).toEqual(['shanghai']);
    expect(g.resolve('思茅')).toEqual(['puer']);
    expect(g.resolve('日喀则地区')).toEqual(['xigaze']);
    expect(g.resolve('日喀则')).toEqual(['xigaze']);
    expect(g.resolve('遼寧')).toEqual(['liaoning']);
    expect(g.resolve('火星')).toEqual([]);
  });

  it('finds mentions longest first, and one-character abbreviations only in runs', () => {
    expect(g.mentions('沪连对口合作').map((m) => m.regionIds[0])).toEqual(['shanghai', 'dalian']);
    expect(g.mentions('大连金普新区与上海').map((m) => m.regionIds[0])).toEqual(['jinpu', 'shanghai']);
    expect(g.mentions('遵循规律，连续推进')).toEqual([]);
    expect(g.mentions('完成沪遵结对总结移交').map((m) => m.text)).toEqual(['沪', '遵']);
    expect(g.mentions('滬連')[1]).toMatchObject({ start: 1, end: 2, text: '連', regionIds: ['dalian'] });
  });

  it('knows a place written in Latin letters by its pinyin id, as a whole word in any case', () => {
    expect(g.mentions('Dalian 和 上海 的关系').map((m) => [m.text, m.regionIds[0]])).toEqual([
      ['Dalian', 'dalian'],
      ['上海', 'shanghai'],
    ]);
    expect(g.mentions('SHANGHAI')[0]).toMatchObject({ start: 0, end: 8, regionIds: ['shanghai'] });
    // Not inside a longer word, and not a hyphenated or short id.
    expect(g.mentions('Shanghaiese')).toEqual([]);
    expect(g.resolve('Zunyi')).toEqual(['zunyi']);
  });

  it('knows the hierarchy', () => {
    expect(g.ancestors('jinpu').map((r) => r.id)).toEqual(['dalian', 'liaoning']);
    expect(g.descendants('liaoning')).toEqual(['dalian', 'jinpu']);
    expect(g.within('jinpu', 'liaoning')).toBe(true);
    expect(g.within('liaoning', 'jinpu')).toBe(false);
  });

  it('rejects an unknown parent and a parent loop with a StartupError naming the entry', () => {
    expect(() => new Gazetteer([R('a', '甲市', 'nope')], 'regions.json')).toThrow(/regions\.json 条目 a：上级地区 nope 不存在/);
    expect(() => new Gazetteer([R('a', '甲市', 'b'), R('b', '乙市', 'a')])).toThrow(StartupError);
  });

  it('lists ambiguous names', () => {
    const amb = new Gazetteer([R('taizhou-js', '泰州市', null, ['泰州']), R('taizhou-zj', '台州市', null, ['泰州'])]);
    expect(amb.ambiguities()).toEqual([{ name: '泰州', regionIds: ['taizhou-js', 'taizhou-zj'] }]);
  });
});
