/**
 * A broadcast's delivery as stacked bars: one for its group, one per platform — delivered,
 * pending and failed — each bar as long as its share of the broadcast, so a platform lagging
 * behind shows at a glance.
 */
import type { Broadcast, BroadcastOutcome } from '../broadcasts/broadcasts.ts';
import { msg } from '../i18n/index.ts';
import { PLATFORMS, destinationKey } from '../messages.ts';
import { type Box, type Picture, picture } from './picture.ts';
import { rect, text, textWidth } from './svg.ts';

const T = msg.pictures;
const WIDTH = 1000;
const BAR_X = 240;
const BAR_W = 620;
const ROW_H = 58;
const TOP = 110;
export const BAR_COLOURS = { delivered: '#2ca02c', pending: '#b8c2cc', failed: '#d62728' } as const;

interface DeliveryRow {
  label: string;
  delivered: number;
  pending: number;
  failed: number;
}

/** Counts per group and platform: a destination without an outcome is pending. */
function deliveryRows(b: Pick<Broadcast, 'group' | 'destinations'>, outcomes: readonly BroadcastOutcome[]): DeliveryRow[] {
  const byDest = new Map(outcomes.map((o) => [destinationKey(o.to), o.status]));
  const count = (dests: Broadcast['destinations'], label: string): DeliveryRow => {
    const r = { label, delivered: 0, pending: 0, failed: 0 };
    for (const d of dests) r[byDest.get(destinationKey(d)) ?? 'pending']++;
    return r;
  };
  const rows = [count(b.destinations, T.chartGroupRow(b.group))];
  for (const p of PLATFORMS) {
    const dests = b.destinations.filter((d) => d.platform === p);
    if (dests.length) rows.push(count(dests, T.chartPlatformRow(T.platformNames[p] ?? p)));
  }
  return rows;
}

/** The chart, or undefined for a broadcast without destinations (nothing to draw). */
export function deliveryChartPicture(b: Pick<Broadcast, 'id' | 'group' | 'destinations'>, outcomes: readonly BroadcastOutcome[]): Picture | undefined {
  if (!b.destinations.length) return undefined;
  const rows = deliveryRows(b, outcomes);
  const max = Math.max(1, ...rows.map((r) => r.delivered + r.pending + r.failed));
  const height = TOP + rows.length * ROW_H + 70;
  const g = rows[0]!;
  const body: string[] = [
    text(40, 48, T.chartTitle(b.id, b.group), { 'font-size': 26, fill: '#1a1a1a' }),
    text(40, 80, T.chartSubtitle(g.delivered, g.pending, g.failed, g.delivered + g.pending + g.failed), { 'font-size': 16, fill: '#555555' }),
  ];
  const marks: Box[] = [];
  rows.forEach((r, i) => {
    const y = TOP + i * ROW_H;
    const total = r.delivered + r.pending + r.failed;
    body.push(text(40, y + 26, r.label, { 'font-size': 17, fill: '#1a1a1a' }));
    let x = BAR_X;
    for (const key of ['delivered', 'pending', 'failed'] as const) {
      const w = (r[key] / max) * BAR_W;
      if (w <= 0) continue;
      body.push(rect(x, y + 6, w, 28, { fill: BAR_COLOURS[key] }));
      const label = String(r[key]);
      if (textWidth(label, 14) + 8 < w) body.push(text(x + w / 2, y + 25, label, { 'font-size': 14, fill: key === 'pending' ? '#1a1a1a' : '#ffffff', 'text-anchor': 'middle' }));
      x += w;
    }
    marks.push({ x: BAR_X, y: y + 6, w: (total / max) * BAR_W, h: 28 });
    body.push(text(BAR_X + BAR_W + 14, y + 26, `${r.delivered}/${total}`, { 'font-size': 16, fill: '#333333' }));
  });
  const ly = TOP + rows.length * ROW_H + 30;
  (['delivered', 'pending', 'failed'] as const).forEach((key, i) => {
    const x = BAR_X + i * 170;
    body.push(rect(x, ly - 13, 22, 16, { fill: BAR_COLOURS[key] }), text(x + 30, ly, key === 'failed' ? T.failed_ : T[key], { 'font-size': 15, fill: '#333333' }));
  });
  const alt = [T.chartAltHead(b.id, b.group), ...rows.map((r) => T.chartAltLine(r.label, r.delivered, r.pending, r.failed, r.delivered + r.pending + r.failed))].join('\n');
  return picture({ width: WIDTH, height, body, alt, name: `broadcast-${b.id}.png`, marks, titleBox: { x: 40, y: 20, w: Math.min(textWidth(T.chartTitle(b.id, b.group), 26), WIDTH - 80), h: 36 } });
}
