import { describe, expect, it } from 'vitest';
import { fold, foldCompact, foldWidth } from '../../src/knowledge/fold.ts';
import { Knowledge } from '../../src/knowledge/knowledge.ts';
import { DEFAULT_SEEDS_DIR } from '../../src/app.ts';

describe('fold', () => {
  it('maps Traditional to Simplified, full-width to half-width, upper to lower case', () => {
    expect(fold('遼寧省與江蘇省對口合作')).toBe('辽宁省与江苏省对口合作');
    expect(fold('（一）１．ＡＢＣ')).toBe('(一)1.abc');
    expect(fold('滬連')).toBe('沪连');
  });

  it('keeps the length, so offsets in folded text index the original', () => {
    const s = '上海市與大連市對口合作實施方案（二）１．𠀀ｘ　';
    expect(fold(s)).toHaveLength(s.length);
    expect(foldWidth(s)).toHaveLength(s.length);
  });

  it('leaves Simplified text as it is', () => {
    const s = '上海市服务全国和对口帮扶“十一五”规划';
    expect(fold(s)).toBe(s);
  });

  it('compacts white space for quote matching', () => {
    expect(foldCompact('國發〔2016〕62 號')).toBe('国发〔2016〕62号');
  });
});

describe('search across scripts', () => {
  it('a Simplified query finds Traditional text and a Traditional query finds Simplified text', async () => {
    const k = await Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR });
    const toTrad = k.search('盘锦市与无锡市结对打造互联网产业合作标杆', 3);
    expect(toTrad[0]?.clause.text).toContain('盤錦市與江蘇省無錫市結對');
    const toSimp = k.search('對口幫扶雲南文山、紅河、思茅、迪慶四州市', 3);
    expect(toSimp.some((h) => h.clause.text.includes('对口帮扶云南文山、红河、思茅、迪庆四州市'))).toBe(true);
  });
});

describe('fold keeps Simplified characters that are also variant sources', () => {
  it('does not turn 么 into 幺 or 峰 into 峯', () => {
    expect(fold('什么时候')).toBe('什么时候');
    expect(fold('甚麼')).toBe('甚么');
    expect(fold('高峰')).toBe('高峰');
    expect(fold('這裡')).toBe('这里');
  });
});
