/**
 * Picture render times, through the same path a reply takes (SVG built on the main thread, then
 * the worker thread's fontkit outlines and resvg, PNG encoded): the 上海 pairing map (the
 * largest), a delivery chart of the seeded 沪滇 group and the acknowledgement timeline of a
 * level II 文山 alert routed by the seeded rules. Each figure is the median of uncached renders
 * with the font already open in the worker (what a running bot sees); the first render of the
 * process (worker start, font open, glyph outlines read) is reported apart. `main_thread_max_ms`
 * is the longest synchronous stretch a render takes on the main thread (SVG built, hashed,
 * posted); `loop_max_block_ms` the longest event-loop delay seen meanwhile, which on a busy
 * machine also counts time the main thread was simply not scheduled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { DEFAULT_SEEDS_DIR, loadKnowledge } from '../app.ts';
import { KnowledgeRegionGraph } from '../alerts/graph.ts';
import { AlertRouting } from '../alerts/routing.ts';
import { loadRoutingRules } from '../alerts/rules.ts';
import type { AlertState, TimelineEvent } from '../alerts/store.ts';
import type { Broadcast, BroadcastOutcome } from '../broadcasts/broadcasts.ts';
import { loadConfig } from '../config.ts';
import { parseDestination } from '../messages.ts';
import { ackTimelinePicture } from '../pictures/ack-timeline.ts';
import { deliveryChartPicture } from '../pictures/delivery-chart.ts';
import { findCjkFont } from '../pictures/fonts.ts';
import { pairMapPicture } from '../pictures/pair-map.ts';
import type { Picture } from '../pictures/picture.ts';
import { Rasterizer } from '../pictures/rasterizer.ts';

const RUNS = 7;
const round = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchPictures(): Promise<Record<string, unknown>> {
  const font = findCjkFont();
  if (!font) return { error: 'no CJK font installed (apt-get install fonts-noto-cjk)' };
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const k = await loadKnowledge(config);
  const now = Date.now();

  const groups = JSON.parse(readFileSync(join(DEFAULT_SEEDS_DIR, 'groups.json'), 'utf8')) as { groups: { name: string; destinations: { to: string }[] }[] };
  const g = groups.groups.find((x) => x.name === '沪滇') ?? groups.groups[0]!;
  const destinations = g.destinations.map((d) => parseDestination(d.to)!).filter(Boolean);
  const b = { id: 'B-BENCH-1', group: g.name, destinations } as Pick<Broadcast, 'id' | 'group' | 'destinations'>;
  const outcomes: BroadcastOutcome[] = destinations.slice(0, Math.ceil(destinations.length / 2)).map((to, i) => ({ to, status: i % 3 === 2 ? 'failed' : 'delivered', at: now }));

  const routing = new AlertRouting(await loadRoutingRules(DEFAULT_SEEDS_DIR), new KnowledgeRegionGraph(k.gazetteer, k.pairings.all));
  const plan = routing.plan('wenshan', 'II', false);
  const step = plan.escalation[0];
  const a: AlertState = {
    id: 'A-BENCH-01',
    drill: false,
    region: 'wenshan',
    regionName: k.gazetteer.nameOf('wenshan'),
    type: '地震',
    level: 'II',
    text: '州府震感强烈',
    source: 'chat',
    triggeredBy: { key: 'bench:1', name: 'bench' },
    createdAt: now,
    sentAt: now,
    plan,
    status: 'open',
    step: step ? 1 : 0,
    stepBase: 0,
    notified: [...plan.initial, ...(step?.recipients ?? [])],
    acks: Object.fromEntries(plan.initial.slice(0, 2).map((r, i) => [r.group, { by: 'bench', at: now + (i + 1) * 120_000 }])),
    owners: {},
  };
  const timeline: TimelineEvent[] = [
    { at: now, kind: 'sent', text: plan.initial.map((r) => r.group).join('、') },
    ...(step ? [{ at: now + 600_000, kind: 'escalated' as const, tier: step.name, text: step.recipients.map((r) => r.group).join('、') }] : []),
  ];

  const builders: Record<string, () => Picture> = {
    pair_map_ms: () => pairMapPicture(k, ['shanghai'], now)!,
    delivery_chart_ms: () => deliveryChartPicture(b, outcomes)!,
    ack_timeline_ms: () => ackTimelinePicture(a, timeline, config.TIMEZONE)!,
  };

  const loop = monitorEventLoopDelay({ resolution: 5 });
  const r = new Rasterizer(font);
  const out: Record<string, unknown> = {};
  let mainMax = 0;
  try {
    let t = performance.now();
    await r.render(builders.pair_map_ms!().svg);
    out.first_render_ms = round(performance.now() - t);
    loop.enable();
    for (const [name, build] of Object.entries(builders)) {
      const times: number[] = [];
      const parts: Record<string, number[]> = {};
      for (let i = 0; i < RUNS; i++) {
        t = performance.now();
        const p = build();
        // A comment that changes each run defeats the content-hash cache without changing the picture.
        const pending = r.render(p.svg.replace('</svg>', `<!-- ${i} ${name} --></svg>`));
        // What the main thread itself spends (building the SVG, hashing, posting it) before it is free again.
        mainMax = Math.max(mainMax, performance.now() - t);
        const png = await pending;
        times.push(performance.now() - t);
        for (const [k2, v] of Object.entries(png.timings ?? {})) {
          parts[k2] ??= [];
          parts[k2].push(v);
        }
      }
      out[name] = round(median(times));
      out[name.replace(/_ms$/, '_min_ms')] = round(Math.min(...times));
      out[name.replace(/_ms$/, '_worker_ms')] = Object.fromEntries(Object.entries(parts).map(([k2, v]) => [k2, round(median(v))]));
    }
    const p = builders.pair_map_ms!();
    t = performance.now();
    for (let i = 0; i < 20; i++) pairMapPicture(k, ['shanghai'], now);
    out.pair_map_svg_ms = round((performance.now() - t) / 20);
    out.pair_map_size = `${p.width}x${p.height}`;
    t = performance.now();
    await r.render(p.svg);
    out.cached_ms = round(performance.now() - t);
  } finally {
    loop.disable();
    await r.close();
  }
  out.main_thread_max_ms = round(mainMax);
  out.loop_max_block_ms = round(loop.max / 1e6);
  out.runs = RUNS;
  // Render times scale with how busy the machine is; say how busy it was.
  out.load_average = (await import('node:os')).loadavg().map(round);
  return out;
}
