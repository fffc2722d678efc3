/**
 * Pairing relationships (对口支援, 对口合作, 结对合作 …) between regions, each pointing back to
 * the clause it comes from. Read-only, indexed by region.
 */
import type { Gazetteer } from './gazetteer.ts';
import type { Clause } from './parser.ts';
import { PAIRING_KINDS, type Pairing } from './schema.ts';

export interface ResolvedPairing extends Pairing {
  clause: Clause;
}

export class Pairings {
  readonly all: readonly ResolvedPairing[];
  private readonly byRegion = new Map<string, ResolvedPairing[]>();

  constructor(
    list: readonly ResolvedPairing[],
    private readonly gazetteer: Gazetteer,
  ) {
    this.all = list;
    for (const p of list) {
      for (const side of new Set([p.from, p.to])) {
        const l = this.byRegion.get(side) ?? [];
        l.push(p);
        this.byRegion.set(side, l);
      }
    }
  }

  /** Relationships where the region itself is a side. */
  of(regionId: string): ResolvedPairing[] {
    return [...(this.byRegion.get(regionId) ?? [])];
  }

  /** Relationships where a side is the region or lies under it (江苏省 → 无锡市–盘锦市 too). */
  within(regionId: string): ResolvedPairing[] {
    return this.all.filter((p) => this.gazetteer.within(p.from, regionId) || this.gazetteer.within(p.to, regionId));
  }

  /** Relationships between two regions (either direction; sides may lie under them). */
  between(a: string, b: string): ResolvedPairing[] {
    const g = this.gazetteer;
    return this.all.filter((p) => (g.within(p.from, a) && g.within(p.to, b)) || (g.within(p.from, b) && g.within(p.to, a)));
  }

  /** The side of `p` that is not `regionId` (or not under it). */
  partnerOf(p: Pairing, regionId: string): string {
    return this.gazetteer.within(p.from, regionId) ? p.to : p.from;
  }

  /** Kinds in display order: the usual ones first, then any other kind the data names. */
  static kindOrder(kind: string): number {
    const i = (PAIRING_KINDS as readonly string[]).indexOf(kind);
    return i < 0 ? PAIRING_KINDS.length : i;
  }
}
