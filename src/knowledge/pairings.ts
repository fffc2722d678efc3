/**
 * Pairing relationships (对口支援, 对口合作, 结对合作 …) between regions, each pointing back to
 * the clause it comes from. Read-only, indexed by region.
 */
import type { Gazetteer } from './gazetteer.ts';
import type { Clause } from './parser.ts';
import type { Pairing } from './schema.ts';
import { PAIRING_KINDS } from './seed-error.ts';

export interface ResolvedPairing extends Pairing {
  clause: Clause;
}

/**
 * The last instant of a period's end (`2020`, `2020-06` or `2020-06-30`), Beijing time; NaN
 * when the period names no end or an unreadable one.
 */
export function periodEndInstant(end: string | undefined): number {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(end?.trim() ?? '');
  if (!m) return NaN;
  const y = Number(m[1]);
  const next = !m[2] ? Date.UTC(y + 1, 0, 1) : !m[3] ? Date.UTC(y, Number(m[2]), 1) : Date.UTC(y, Number(m[2]) - 1, Number(m[3]) + 1);
  return next - 8 * 3600_000 - 1;
}

/**
 * Whether a relationship the data marks as running (`active`, or `planned`) belongs to a plan
 * period that is over at `now`. The stored status stays as the document states it (alert
 * routing reads it); only what users are shown depends on the clock.
 */
export function periodEnded(p: Pick<Pairing, 'status' | 'period'>, now: number): boolean {
  if (p.status !== 'active' && p.status !== 'planned') return false;
  const end = periodEndInstant(p.period?.end);
  return Number.isFinite(end) && end < now;
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
