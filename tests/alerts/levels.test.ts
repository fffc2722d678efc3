import { describe, expect, it } from 'vitest';
import { parseLevel, levelLabel } from '../../src/alerts/levels.ts';
import { dayStamp, formatAlertId, normaliseAlertId } from '../../src/alerts/ids.ts';

describe('parseLevel', () => {
  it.each([
    ['1', 'I'], ['I', 'I'], ['Ⅰ', 'I'], ['一级', 'I'], ['特别重大', 'I'], ['I级', 'I'], ['i', 'I'],
    ['2', 'II'], ['II', 'II'], ['Ⅱ', 'II'], ['二级', 'II'], ['重大', 'II'], ['Ⅱ级响应', 'II'], ['２', 'II'],
    ['3', 'III'], ['Ⅲ', 'III'], ['三级', 'III'], ['较大', 'III'],
    ['4', 'IV'], ['iv', 'IV'], ['Ⅳ', 'IV'], ['四级', 'IV'], ['一般', 'IV'],
  ])('%s → %s', (word, level) => {
    expect(parseLevel(word)).toBe(level);
  });

  it.each(['5', 'V', '地震', '', '重要', '0'])('rejects %s', (word) => {
    expect(parseLevel(word)).toBeUndefined();
  });

  it('labels a level with its official name', () => {
    expect(levelLabel('II')).toBe('II级（重大）');
  });
});

describe('alert ids', () => {
  it('uses the day of the configured zone', () => {
    // 2026-11-22 17:00 UTC is already 23 November in Shanghai.
    expect(dayStamp(Date.UTC(2026, 10, 22, 17, 0), 'Asia/Shanghai')).toBe('20261123');
    expect(dayStamp(Date.UTC(2026, 10, 22, 17, 0), 'UTC')).toBe('20261122');
  });
  it('formats and normalises', () => {
    expect(formatAlertId(false, '20261122', 3)).toBe('A-20261122-03');
    expect(formatAlertId(true, '20261122', 1)).toBe('Y-20261122-01');
    expect(normaliseAlertId('a-20261122-3')).toBe('A-20261122-03');
    expect(normaliseAlertId('Ａ－２０２６１１２２－０３')).toBe('A-20261122-03');
    expect(normaliseAlertId('20261122')).toBeUndefined();
    // Drills are Y- (演习), distinct from office deadlines (D3); drill ids issued as D- still read.
    expect(normaliseAlertId('y-20261122-1')).toBe('Y-20261122-01');
    expect(normaliseAlertId('D-20261122-01')).toBe('D-20261122-01');
    expect(normaliseAlertId('D3')).toBeUndefined();
  });
});
