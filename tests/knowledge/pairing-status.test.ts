/**
 * Pairing status relative to the clock: seeds keep `status: active` as the plans state it, but a
 * relationship whose plan period is over is shown as such (状态：规划期已结束（…）), never 进行中.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pairingAnswer } from '../../src/knowledge/answer.ts';
import type { Knowledge } from '../../src/knowledge/knowledge.ts';
import { periodEndInstant, periodEnded } from '../../src/knowledge/pairings.ts';
import { renderText } from '../../src/render/text.ts';
import { loadSeedKnowledge } from '../support/seeds.ts';

let k: Knowledge;
beforeAll(async () => {
  k = await loadSeedKnowledge();
});

describe('pairing status against the clock', () => {
  it('a period ends at the last moment of its end year, Beijing time', () => {
    const end = periodEndInstant('2020');
    expect(new Date(end + 1).toISOString()).toBe('2020-12-31T16:00:00.000Z');
    expect(new Date(periodEndInstant('2020-06') + 1).toISOString()).toBe('2020-06-30T16:00:00.000Z');
    expect(new Date(periodEndInstant('2020-06-15') + 1).toISOString()).toBe('2020-06-15T16:00:00.000Z');
    expect(periodEndInstant(undefined)).toBeNaN();
    const p = { status: 'active' as const, period: { start: '2017', end: '2020' } };
    expect(periodEnded(p, end)).toBe(false);
    expect(periodEnded(p, end + 1)).toBe(true);
    // Statuses that already say it is over, and open-ended periods, are left alone.
    expect(periodEnded({ status: 'handed-over', period: { end: '2010' } }, end + 1)).toBe(false);
    expect(periodEnded({ status: 'active', period: { start: '2017' } }, end + 1)).toBe(false);
  });

  it('shows 进行中 with the period while it runs, and 规划期已结束 once it is over; the data keeps active', () => {
    const during = renderText(pairingAnswer(k, '/pair 大连', ['dalian'], { now: Date.UTC(2019, 5, 1) }).reply);
    expect(during).toContain('状态：进行中；期间：2017—2020');

    const after = pairingAnswer(k, '/pair 大连', ['dalian'], { now: Date.UTC(2026, 10, 23) });
    const text = renderText(after.reply);
    expect(text).toContain('状态：规划期已结束（2017—2020）');
    expect(text).toContain('状态：规划期已结束（2021—2025）');
    expect(text).not.toContain('进行中');
    const shDl = after.results.find((r) => r.id === 'sh-dalian')!;
    expect(shDl.status).toBe('active');
    expect(shDl.periodEnded).toBe(true);
    expect(k.pairings.all.find((p) => p.id === 'sh-dalian')?.status).toBe('active');
  });

  it('free-text pairing questions use the same clock', () => {
    const a = k.answer('大连的对口合作城市是哪个', { now: Date.UTC(2026, 10, 23) });
    expect(a.intent).toBe('pairing');
    expect(renderText(a.reply)).toContain('规划期已结束');
    const b = k.answer('大连的对口合作城市是哪个', { now: Date.UTC(2018, 0, 1) });
    expect(renderText(b.reply)).toContain('进行中');
  });
});
