/** Argument splitting: words, flags, quotes, and the raw text after the leading words. */
import { describe, expect, it } from 'vitest';
import { flagProblem, parseArgs, tokenize } from '../src/args.ts';

describe('tokenize', () => {
  it('keeps quoted spaces in one word; an unbalanced quote is an ordinary character', () => {
    expect(tokenize('"沪连 联席会议" 2026')).toEqual(['沪连 联席会议', '2026']);
    expect(tokenize('他说"快跑 --new')).toEqual(['他说"快跑', '--new']);
    expect(tokenize('“甲 乙” 他说"快跑 「丙 丁」')).toEqual(['甲 乙', '他说"快跑', '丙 丁']);
  });
});

describe('parseArgs', () => {
  it('rawAfter keeps the text exactly as typed after n words, flags and their values cut out', () => {
    const p = parseArgs('文山 地震 II “震感强烈”，「城南」倒塌\n第二行 --new --at 2026-12-01 09:00', ['new']);
    expect(p.words).toEqual(['文山', '地震', 'II', '震感强烈，城南倒塌', '第二行']);
    expect(p.flags).toEqual({ new: true, at: '2026-12-01 09:00' });
    expect(p.rawAfter?.[3]).toBe('“震感强烈”，「城南」倒塌\n第二行');
    expect(p.rawAfter?.[0]).toBe('文山 地震 II “震感强烈”，「城南」倒塌\n第二行');
    expect(p.rawAfter?.[5]).toBe('');
    expect(parseArgs('文山 ——new 地震 II 说明  两格', ['new']).rawAfter?.[1]).toBe('地震 II 说明  两格');
  });

  it('one dash, or the single dash a phone makes of two, is a flag too — so an unknown one is refused', () => {
    const spec = { booleans: ['overdue', 'upcoming'] };
    for (const text of ['大连 -x', '大连 —x', '大连 –x']) {
      expect(parseArgs(text, spec.booleans).words).toEqual(['大连']);
      expect(flagProblem(parseArgs(text, spec.booleans), spec)).toMatchObject({ kind: 'unknown', flag: 'x' });
    }
    expect(parseArgs('大连 —overdue', spec.booleans).flags).toEqual({ overdue: true });
    // A dash in ordinary text stays text: a negative number, a Chinese dash before Chinese.
    expect(parseArgs('温差 -5 ——说明', spec.booleans).words).toEqual(['温差', '-5', '——说明']);
  });

  it('a flag that takes no value refuses one (--overdue=no would read as --overdue)', () => {
    const spec = { booleans: ['overdue'] };
    for (const text of ['--overdue=no', '--overdue=']) expect(flagProblem(parseArgs(text, spec.booleans), spec)).toEqual({ kind: 'takesNoValue', flag: 'overdue' });
    expect(flagProblem(parseArgs('--overdue', spec.booleans), spec)).toBeUndefined();
  });
});
