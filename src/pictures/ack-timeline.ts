/**
 * An alert's acknowledgements on a time axis: one row per notified group, from when the alert
 * reached it (first send or an escalation step) to its 收到, with escalations as vertical marks,
 * so the slow groups and the moments the alert widened stand out.
 */
import type { AlertState, TimelineEvent } from '../alerts/store.ts';
import { msg } from '../i18n/index.ts';
import { wallTime } from '../time.ts';
import { type Box, type Picture, picture } from './picture.ts';
import { esc, n, text, textWidth } from './svg.ts';

const T = msg.pictures;
const WIDTH = 1100;
const LABEL_W = 230;
const AXIS_X = 40 + LABEL_W;
const AXIS_W = WIDTH - AXIS_X - 60;
const TOP = 130;
const ROW_H = 44;
const COLOURS = { sent: '#1f77b4', escalated: '#ff7f0e', acked: '#2ca02c', waiting: '#9aa5b1' } as const;
/** Tick steps tried, smallest first: the first giving at most 8 ticks is used. */
const STEPS_S = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

interface AckRow {
  group: string;
  sentAt?: number;
  escalated: boolean;
  ackAt?: number;
}

/** When each group was reached and when it acknowledged, from the state and timeline. */
function ackRows(a: AlertState, timeline: readonly TimelineEvent[]): AckRow[] {
  const groups = a.notified.filter((r) => r.role !== 'condolence').map((r) => r.group);
  for (const g of Object.keys(a.acks)) if (!groups.includes(g)) groups.push(g);
  const names = (e: TimelineEvent) => (e.text ?? '').split('、').map((s) => s.trim());
  return [...new Set(groups)].map((group) => {
    const esc = timeline.find((e) => e.kind === 'escalated' && names(e).includes(group));
    const first = timeline.find((e) => e.kind === 'sent' && names(e).includes(group));
    const delivered = timeline.find((e) => e.kind === 'delivered' && e.group === group);
    const reached = first ?? esc ?? delivered;
    const ack = a.acks[group];
    return {
      group,
      ...(reached ? { sentAt: reached.at } : {}),
      escalated: !first && !!esc,
      ...(ack ? { ackAt: ack.at } : {}),
    };
  });
}

function clock(ms: number, zone: string, seconds: boolean): string {
  const w = wallTime(ms, zone);
  const p = (x: number) => String(x).padStart(2, '0');
  return seconds ? `${p(w.hour)}:${p(w.minute)}:${p(w.second)}` : `${p(w.hour)}:${p(w.minute)}`;
}

/** The timeline picture, or undefined before any group was notified (a preview, a cancelled alert). */
export function ackTimelinePicture(a: AlertState, timeline: readonly TimelineEvent[], zone: string): Picture | undefined {
  const rows = ackRows(a, timeline);
  if (!rows.some((r) => r.sentAt !== undefined)) return undefined;
  const escalations = timeline.filter((e) => e.kind === 'escalated');
  const times = [...timeline.map((e) => e.at), ...rows.flatMap((r) => [r.sentAt ?? NaN, r.ackAt ?? NaN])].filter(Number.isFinite);
  const t0 = a.sentAt ?? Math.min(a.createdAt, ...times);
  let t1 = Math.max(t0, ...times);
  if (t1 - t0 < 60_000) t1 = t0 + 60_000;
  const step = (STEPS_S.find((s) => (t1 - t0) / 1000 / s <= 8) ?? 86400) * 1000;
  const xOf = (t: number) => AXIS_X + ((t - t0) / (t1 - t0)) * AXIS_W;
  const height = TOP + Math.max(rows.length, 1) * ROW_H + 80;
  const bottom = TOP + rows.length * ROW_H;
  const acked = rows.filter((r) => r.ackAt !== undefined).length;

  const body: string[] = [
    text(40, 48, T.timelineTitle(a.id), { 'font-size': 26, fill: '#1a1a1a' }),
    text(40, 80, `${a.regionName} ${a.type} · ${T.timelineSubtitle(acked, rows.length)}`, { 'font-size': 16, fill: '#555555' }),
  ];
  // Axis and ticks, in the display zone.
  body.push(`<line x1="${AXIS_X}" y1="${bottom + 6}" x2="${AXIS_X + AXIS_W}" y2="${bottom + 6}" stroke="#555555" stroke-width="1.5"/>`);
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const x = xOf(t);
    body.push(`<line x1="${n(x)}" y1="${TOP - 8}" x2="${n(x)}" y2="${bottom + 12}" stroke="#e3e7ec" stroke-width="1"/>`);
    body.push(text(x, bottom + 30, clock(t, zone, step < 60_000), { 'font-size': 13, fill: '#555555', 'text-anchor': 'middle' }));
  }
  for (const e of escalations) {
    const x = xOf(e.at);
    body.push(`<line x1="${n(x)}" y1="${TOP - 14}" x2="${n(x)}" y2="${bottom + 6}" stroke="${COLOURS.escalated}" stroke-width="2" stroke-dasharray="6 4"/>`);
    // Past the middle the label reads leftwards, so it never runs off the picture.
    const right = x > AXIS_X + AXIS_W / 2;
    body.push(text(right ? x - 4 : x + 4, TOP - 18, `${T.escalated}${e.tier ? ` ${e.tier}` : ''}`, { 'font-size': 13, fill: COLOURS.escalated, ...(right ? { 'text-anchor': 'end' } : {}) }));
  }
  const marks: Box[] = [];
  rows.forEach((r, i) => {
    const y = TOP + i * ROW_H + ROW_H / 2;
    const label = textWidth(r.group, 16) > LABEL_W - 10 ? `${r.group.slice(0, Math.floor((LABEL_W - 10) / 16))}…` : r.group;
    body.push(text(40, y + 6, label, { 'font-size': 16, fill: '#1a1a1a' }));
    if (r.sentAt === undefined) return;
    const xs = xOf(r.sentAt);
    const xe = r.ackAt !== undefined ? xOf(r.ackAt) : AXIS_X + AXIS_W;
    body.push(
      `<line x1="${n(xs)}" y1="${y}" x2="${n(xe)}" y2="${y}" stroke="${r.ackAt !== undefined ? '#7f8c8d' : COLOURS.waiting}" stroke-width="4"${r.ackAt !== undefined ? '' : ' stroke-dasharray="6 5"'}/>`,
    );
    const c = r.escalated ? COLOURS.escalated : COLOURS.sent;
    body.push(r.escalated ? `<path d="M${n(xs)} ${y - 9} L${n(xs + 9)} ${y + 7} L${n(xs - 9)} ${y + 7} Z" fill="${c}"/>` : `<circle cx="${n(xs)}" cy="${y}" r="8" fill="${c}"/>`);
    if (r.ackAt !== undefined) body.push(`<path d="M${n(xe)} ${y - 10} L${n(xe + 10)} ${y} L${n(xe)} ${y + 10} L${n(xe - 10)} ${y} Z" fill="${COLOURS.acked}"/>`);
    marks.push({ x: Math.min(xs, xe) - 8, y: y - 10, w: Math.abs(xe - xs) + 16, h: 20 });
  });
  const ly = bottom + 62;
  const legend: [string, string][] = [
    [`<circle cx="${AXIS_X + 8}" cy="${ly - 5}" r="7" fill="${COLOURS.sent}"/>`, T.sent],
    [`<path d="M${AXIS_X + 188} ${ly - 13} L${AXIS_X + 196} ${ly + 2} L${AXIS_X + 180} ${ly + 2} Z" fill="${COLOURS.escalated}"/>`, T.escalated],
    [`<path d="M${AXIS_X + 368} ${ly - 14} L${AXIS_X + 377} ${ly - 5} L${AXIS_X + 368} ${ly + 4} L${AXIS_X + 359} ${ly - 5} Z" fill="${COLOURS.acked}"/>`, T.acked],
    [`<line x1="${AXIS_X + 530}" y1="${ly - 5}" x2="${AXIS_X + 560}" y2="${ly - 5}" stroke="${COLOURS.waiting}" stroke-width="4" stroke-dasharray="6 5"/>`, T.notAcked],
  ];
  legend.forEach(([mark, label], i) => {
    body.push(mark, text(AXIS_X + i * 180 + 24 + (i === 3 ? 20 : 0), ly, label, { 'font-size': 14, fill: '#333333' }));
  });

  const seconds = t1 - t0 < 10 * 60_000;
  const alt = [
    T.timelineAltHead(a.id),
    ...rows.map((r) => T.timelineAltLine(r.group, r.sentAt !== undefined ? clock(r.sentAt, zone, seconds) : '—', r.ackAt !== undefined ? clock(r.ackAt, zone, seconds) : '', r.escalated)),
  ].join('\n');
  return picture({ width: WIDTH, height, body, alt, name: `alert-${esc(a.id)}.png`, marks, titleBox: { x: 40, y: 20, w: Math.min(textWidth(T.timelineTitle(a.id), 26), WIDTH - 80), h: 36 } });
}
