/**
 * The region graph alerts route over, read from the knowledge: the gazetteer resolves names (short
 * names, aliases, Traditional forms, old names like 思茅 → 普洱) and gives the hierarchy; the
 * pairings give who is paired with whom, in either direction.
 */
import type { Gazetteer } from '../knowledge/gazetteer.ts';
import { fold } from '../knowledge/fold.ts';
import type { Pairing } from '../knowledge/schema.ts';
import type { RegionGraph, RegionInfo, RegionLookup } from './routing.ts';

const SUGGESTIONS = 6;

export class KnowledgeRegionGraph implements RegionGraph {
  private readonly pairs = new Map<string, { other: string; status: string }[]>();

  constructor(
    private readonly gazetteer: Gazetteer,
    pairings: readonly Pick<Pairing, 'from' | 'to' | 'status'>[],
  ) {
    for (const p of pairings) {
      for (const [a, b] of [
        [p.from, p.to],
        [p.to, p.from],
      ] as const) {
        const list = this.pairs.get(a) ?? [];
        list.push({ other: b, status: p.status });
        this.pairs.set(a, list);
      }
    }
  }

  get(id: string): RegionInfo | undefined {
    const r = this.gazetteer.get(id);
    return r ? { id: r.id, name: r.name, level: r.level, parent: r.parent } : undefined;
  }

  lookup(name: string): RegionLookup {
    const ids = this.gazetteer.resolve(name);
    const infos = ids.map((id) => this.get(id)).filter((r): r is RegionInfo => r !== undefined);
    if (infos.length === 1) return { kind: 'one', region: infos[0]! };
    if (infos.length > 1) return { kind: 'ambiguous', candidates: infos };
    return { kind: 'none', suggestions: this.suggest(name) };
  }

  /** Regions named inside the text, or whose names contain it (文山州地震 → 文山壮族苗族自治州). */
  private suggest(name: string): RegionInfo[] {
    const out = new Map<string, RegionInfo>();
    for (const m of this.gazetteer.mentions(name))
      for (const id of m.regionIds) {
        const r = this.get(id);
        if (r) out.set(id, r);
      }
    const f = fold(name).replace(/\s+/g, '');
    if (f.length >= 2)
      for (const r of this.gazetteer.regions) {
        if (out.size >= SUGGESTIONS) break;
        const names = [r.name, ...r.short, ...r.aliases, ...r.traditional].map((n) => fold(n));
        if (names.some((n) => n.includes(f))) out.set(r.id, this.get(r.id)!);
      }
    return [...out.values()].slice(0, SUGGESTIONS);
  }

  partners(id: string, statuses: readonly string[]): string[] {
    const out: string[] = [];
    for (const p of this.pairs.get(id) ?? []) if (statuses.includes(p.status) && !out.includes(p.other)) out.push(p.other);
    return out;
  }
}
