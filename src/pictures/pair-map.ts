/**
 * The pairing network of a region as a picture: the asked region (and any of its own districts
 * or zones that have partners) on the left, every partner on the right inside its province's
 * box, one curve per relationship kind coloured by kind, dashed when the plan period is over
 * or the relationship was handed over, with its years written at the partner's end.
 *
 * The layout is layered and deterministic (no force simulation): the same data always draws the
 * same picture, so its PNG is cached by content hash and tests can find the nodes.
 */
import { msg } from '../i18n/index.ts';
import type { KnowledgeView } from '../knowledge/view.ts';
import { Pairings, type ResolvedPairing, periodEnded } from '../knowledge/pairings.ts';
import { type Box, type Picture, picture } from './picture.ts';
import { esc, n, rect, text, textWidth } from './svg.ts';

const T = msg.pictures;

const WIDTH = 1280;
const TOP = 104;
const HOME_X = 40;
const HOME_W = 250;
const BOX_X = 600;
const BOX_W = 640;
const NODE_X = BOX_X + 20;
const NODE_W = 290;
const NODE_H = 34;
const EDGE_ROW = 16;

/** One colour per usual kind; any other kind the data names is grey. */
const KIND_COLOURS: Record<string, string> = {
  对口支援: '#d62728',
  对口帮扶: '#ff7f0e',
  对口合作: '#1f77b4',
  东西部协作: '#2ca02c',
  结对合作: '#9467bd',
  接轨: '#17becf',
  合作交流: '#8c564b',
};
const OTHER_COLOUR = '#7f7f7f';
/** One collator for every name comparison: localeCompare with a locale builds one per call. */
const COLLATOR = new Intl.Collator('zh-Hans-CN');

interface Edge {
  home: string;
  partner: string;
  kind: string;
  pairings: ResolvedPairing[];
  ended: boolean;
  status: string;
  years: string;
}

/** The relationships the map of `regionIds` draws: those between two regions, or all under one. */
function mapPairings(k: KnowledgeView, regionIds: readonly string[]): ResolvedPairing[] {
  const [a, b] = regionIds;
  if (a && b) {
    const l = k.pairings.between(a, b);
    return l.length ? l : [...new Set([...k.pairings.within(a), ...k.pairings.within(b)])];
  }
  return a ? k.pairings.within(a) : [];
}

function years(p: ResolvedPairing): string {
  const s = p.period?.start;
  const e = p.period?.end;
  if (!s && !e) return '';
  return s === e ? `${s}` : `${s ?? '?'}–${e ?? '?'}`;
}

function edgeStatus(ps: ResolvedPairing[], now: number): { ended: boolean; status: string } {
  const over = (p: ResolvedPairing) => p.status === 'ended' || p.status === 'handed-over' || periodEnded(p, now);
  if (ps.every(over)) return { ended: true, status: ps.some((p) => p.status === 'handed-over') ? 'handed-over' : 'ended' };
  return { ended: false, status: ps.every((p) => p.status === 'planned') ? 'planned' : 'active' };
}

/** The map of one region (or of two: those between them), or undefined when it has no pairings. */
export function pairMapPicture(k: KnowledgeView, regionIds: readonly string[], now: number): Picture | undefined {
  const g = k.gazetteer;
  const list = mapPairings(k, regionIds);
  if (!list.length) return undefined;
  const roots = k.pairings.between(regionIds[0]!, regionIds[1] ?? regionIds[0]!).length && regionIds[1] ? [regionIds[0]!] : [...regionIds];
  const isHome = (id: string) => roots.some((r) => g.within(id, r));

  // One edge per (home side, partner, kind): the periods of one pair read as one line.
  const byKey = new Map<string, Edge>();
  for (const p of list) {
    const [home, partner] = isHome(p.from) ? [p.from, p.to] : isHome(p.to) ? [p.to, p.from] : [p.from, p.to];
    const key = `${home}|${partner}|${p.kind}`;
    const e = byKey.get(key) ?? { home, partner, kind: p.kind, pairings: [], ended: false, status: 'active', years: '' };
    e.pairings.push(p);
    byKey.set(key, e);
  }
  const edges = [...byKey.values()];
  for (const e of edges) {
    Object.assign(e, edgeStatus(e.pairings, now));
    e.years = [...new Set(e.pairings.map(years).filter(Boolean))].sort().join('、');
  }

  const province = (id: string) => g.ancestors(id).at(-1)?.id ?? id;
  const kindRank = (kind: string) => Pairings.kindOrder(kind);
  const zh = COLLATOR.compare;

  // Right side: partners grouped by province; provinces by their most usual kind, then name.
  const partnersByProv = new Map<string, string[]>();
  for (const e of edges) {
    const pv = province(e.partner);
    const l = partnersByProv.get(pv) ?? [];
    if (!l.includes(e.partner)) l.push(e.partner);
    partnersByProv.set(pv, l);
  }
  const bestRank = (ids: string[]) => Math.min(...edges.filter((e) => ids.includes(e.partner)).map((e) => kindRank(e.kind)));
  const provinces = [...partnersByProv.keys()].sort(
    (a, b) => bestRank(partnersByProv.get(a)!) - bestRank(partnersByProv.get(b)!) || zh(g.nameOf(a), g.nameOf(b)),
  );

  const edgesTo = (id: string) => edges.filter((e) => e.partner === id).sort((x, y) => kindRank(x.kind) - kindRank(y.kind) || zh(x.kind, y.kind));
  const nodeBox = new Map<string, Box>();
  const provBoxes: { id: string; box: Box }[] = [];
  let y = TOP;
  for (const pv of provinces) {
    const ids = partnersByProv.get(pv)!.sort(
      (a, b) => (a === pv ? -1 : b === pv ? 1 : 0) || Math.min(...edgesTo(a).map((e) => kindRank(e.kind))) - Math.min(...edgesTo(b).map((e) => kindRank(e.kind))) || zh(g.nameOf(a), g.nameOf(b)),
    );
    const top = y;
    y += 34;
    for (const id of ids) {
      const h = Math.max(NODE_H, edgesTo(id).length * EDGE_ROW + 14);
      nodeBox.set(`p:${id}`, { x: NODE_X, y, w: NODE_W, h });
      y += h + 8;
    }
    provBoxes.push({ id: pv, box: { x: BOX_X, y: top, w: BOX_W, h: y - top + 4 } });
    y += 18;
  }
  const rightBottom = y;

  // Left side: the asked region(s) and their own districts with partners, each as tall as its edges need.
  const homes = [...new Set(edges.map((e) => e.home))].sort(
    (a, b) => (regionIds.includes(a) ? 0 : 1) - (regionIds.includes(b) ? 0 : 1) || regionIds.indexOf(a) - regionIds.indexOf(b) || zh(g.nameOf(a), g.nameOf(b)),
  );
  const homeH = (id: string) => Math.max(48, edges.filter((e) => e.home === id).length * 9 + 20);
  const homeTotal = homes.reduce((s, id) => s + homeH(id) + 24, -24);
  y = Math.max(TOP, TOP + (rightBottom - TOP - homeTotal) / 2);
  for (const id of homes) {
    nodeBox.set(`h:${id}`, { x: HOME_X, y, w: HOME_W, h: homeH(id) });
    y += homeH(id) + 24;
  }

  const kindsShown = [...new Set(edges.map((e) => e.kind))].sort((a, b) => kindRank(a) - kindRank(b) || zh(a, b));
  const legendTop = Math.max(rightBottom, y) + 10;
  const legendRows = Math.ceil(kindsShown.length / 4) + 1;
  const height = Math.ceil(legendTop + legendRows * 30 + 30);

  const body: string[] = [];
  const who = regionIds.map((r) => g.nameOf(r)).join('—');
  body.push(text(40, 48, T.mapTitle(who), { 'font-size': 28, fill: '#1a1a1a' }));
  body.push(text(40, 78, T.mapSubtitle(list.length, provinces.length), { 'font-size': 15, fill: '#555555' }));

  for (const { id, box } of provBoxes) {
    body.push(rect(box.x, box.y, box.w, box.h, { rx: 10, fill: '#f4f6f9', stroke: '#c9d1dc', 'stroke-width': 1.2 }));
    body.push(text(box.x + 16, box.y + 24, g.nameOf(id), { 'font-size': 17, fill: '#34495e' }));
  }

  // Ports: each edge leaves its home node and enters its partner node at its own height, ordered
  // by where it goes so curves out of one node do not cross each other.
  const target = (e: Edge) => nodeBox.get(`p:${e.partner}`)!;
  const entryY = new Map<Edge, number>();
  for (const [key, box] of nodeBox) {
    if (!key.startsWith('p:')) continue;
    const ins = edgesTo(key.slice(2));
    for (const [i, e] of ins.entries()) entryY.set(e, box.y + box.h / 2 + (i - (ins.length - 1) / 2) * EDGE_ROW);
  }
  const exitY = new Map<Edge, number>();
  for (const id of homes) {
    const box = nodeBox.get(`h:${id}`)!;
    const outs = edges.filter((e) => e.home === id).sort((x, y2) => entryY.get(x)! - entryY.get(y2)!);
    const step = (box.h - 16) / Math.max(outs.length, 1);
    for (const [i, e] of outs.entries()) exitY.set(e, box.y + 8 + step * (i + 0.5));
  }

  const curves: string[] = [];
  const labels: string[] = [];
  for (const e of edges) {
    const colour = KIND_COLOURS[e.kind] ?? OTHER_COLOUR;
    const x1 = HOME_X + HOME_W;
    const y1 = exitY.get(e)!;
    const x2 = target(e).x;
    const y2 = entryY.get(e)!;
    const mid = (x1 + x2) / 2;
    curves.push(
      `<path d="M${n(x1)} ${n(y1)} C${n(mid)} ${n(y1)} ${n(mid)} ${n(y2)} ${n(x2)} ${n(y2)}" fill="none" stroke="${colour}" stroke-width="2.4"${e.ended ? ' stroke-dasharray="9 6"' : ''} stroke-opacity="0.85"/>`,
    );
    // The years (and 已移交) sit on the partner's end, right of the name inside the node.
    const status = e.status === 'handed-over' ? T.mapEdgeStatus['handed-over']! : '';
    const label = [e.kind, e.years, status].filter(Boolean).join(' ');
    labels.push(text(NODE_X + NODE_W + 12, y2 + 5, label, { 'font-size': 13, fill: colour }));
  }
  body.push(...curves);

  for (const [key, box] of nodeBox) {
    const id = key.slice(2);
    const home = key.startsWith('h:');
    const asked = regionIds.includes(id);
    const fill = asked ? '#fff3c4' : '#ffffff';
    const stroke = asked ? '#d4a000' : '#8a99ad';
    body.push(rect(box.x, box.y, box.w, box.h, { rx: 8, fill, stroke, 'stroke-width': asked ? 3.5 : 1.4 }));
    const isProvince = !home && province(id) === id;
    const name = g.nameOf(id) + (isProvince ? T.wholeProvince : '');
    const size = home ? (asked ? 22 : 17) : 15;
    const shown = textWidth(name, size) > box.w - 20 ? `${name.slice(0, Math.max(2, Math.floor((box.w - 20) / size)))}…` : name;
    body.push(text(box.x + 12, box.y + box.h / 2 + size * 0.36, shown, { 'font-size': size, fill: '#1a1a1a' }));
  }
  body.push(...labels);

  // Legend: the kinds drawn, then what solid, dashed and the highlighted box mean.
  const items: { draw: (x: number, y: number) => string; label: string }[] = kindsShown.map((kind) => ({
    draw: (x, yy) => `<line x1="${x}" y1="${yy}" x2="${x + 36}" y2="${yy}" stroke="${KIND_COLOURS[kind] ?? OTHER_COLOUR}" stroke-width="4"/>`,
    label: kind,
  }));
  const rows: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 4) rows.push(items.slice(i, i + 4));
  rows.push([
    { draw: (x, yy) => `<line x1="${x}" y1="${yy}" x2="${x + 36}" y2="${yy}" stroke="#555555" stroke-width="2.4"/>`, label: T.legendOngoing },
    { draw: (x, yy) => `<line x1="${x}" y1="${yy}" x2="${x + 36}" y2="${yy}" stroke="#555555" stroke-width="2.4" stroke-dasharray="9 6"/>`, label: T.legendEnded },
    { draw: (x, yy) => rect(x, yy - 9, 36, 18, { rx: 4, fill: '#fff3c4', stroke: '#d4a000', 'stroke-width': 2.5 }), label: T.legendAsked },
  ]);
  rows.forEach((row, r) => {
    const yy = legendTop + 16 + r * 30;
    row.forEach((it, c) => {
      const x = 40 + c * 280;
      body.push(it.draw(x, yy), text(x + 46, yy + 5, it.label, { 'font-size': 14, fill: '#333333' }));
    });
  });

  // The text equivalent: every relationship drawn, by province, as the picture groups them.
  const alt = [
    T.mapAltHead(who, list.length),
    ...provinces.flatMap((pv) =>
      partnersByProv.get(pv)!.flatMap((id) =>
        edgesTo(id).map((e) => `【${g.nameOf(pv)}】${T.mapAltLine(g.nameOf(e.home), g.nameOf(e.partner), e.kind, e.years, T.mapEdgeStatus[e.status] ?? e.status)}`),
      ),
    ),
  ].join('\n');

  return picture({ width: WIDTH, height, body, alt, name: `pair-map-${esc(regionIds.join('-'))}.png`, marks: [...nodeBox.values()], titleBox: { x: 40, y: 18, w: Math.min(textWidth(T.mapTitle(who), 28), WIDTH - 80), h: 40 } });
}
