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
  private readonly successors = new Map<string, ResolvedPairing>();
  private readonly predecessors = new Map<string, ResolvedPairing[]>();

  constructor(
    list: readonly ResolvedPairing[],
    private readonly gazetteer: Gazetteer,
    moves: readonly PairingMove[] = derivePairingMoves(list, gazetteer),
  ) {
    this.all = list;
    for (const m of moves) {
      this.successors.set(m.before.id, m.after);
      const l = this.predecessors.get(m.after.id) ?? [];
      l.push(m.before);
      this.predecessors.set(m.after.id, l);
    }
    for (const p of list) {
      for (const side of new Set([p.from, p.to])) {
        const l = this.byRegion.get(side) ?? [];
        l.push(p);
        this.byRegion.set(side, l);
      }
    }
  }

  /** Where a relationship moved to, when it did. */
  movedTo(p: Pairing): ResolvedPairing | undefined {
    return this.successors.get(p.id);
  }

  /** Relationships that moved into this one. */
  movedFrom(p: Pairing): ResolvedPairing[] {
    return this.predecessors.get(p.id) ?? [];
  }

  /**
   * The relationships as they stand today: one that moved elsewhere reads as ended, so alert
   * routing and /pair agree on who the current partner is.
   */
  current(): ResolvedPairing[] {
    return currentPairings(this.all, this.gazetteer, [...this.successors].map(([id, after]) => ({ before: this.all.find((p) => p.id === id)!, after })));
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

/** Support that moved: `from` ended at `moved.to` and goes on at `to.to` (阿克苏 → 喀什). */
export interface PairingMove<P extends Pairing = ResolvedPairing> {
  before: P;
  after: P;
}

const startYear = (p: Pairing) => Number(/^\d{4}/.exec(p.period?.start ?? '')?.[0] ?? NaN);
const endYear = (p: Pairing) => Number(/^\d{4}/.exec(p.period?.end ?? '')?.[0] ?? NaN);

/**
 * Derived from the pairings alone (kept apart from loading so a snapshot can store or recompute
 * it): a relationship is moved when the same side later holds the same kind of relationship with
 * another region of the same province, and never again with the old one. 上海 对口支援 阿克苏
 * (2006–2010) → 喀什 (2021–2025). Each old relationship maps to its nearest successor.
 */
function derivePairingMoves<P extends Pairing>(list: readonly P[], g: Gazetteer): PairingMove<P>[] {
  const province = (id: string) => g.ancestors(id).at(-1)?.id ?? id;
  const moves: PairingMove<P>[] = [];
  for (const p of list) {
    const end = endYear(p);
    if (!Number.isFinite(end) || p.status === 'handed-over') continue;
    const sameRun = list.filter((q) => q.kind === p.kind && q.from === p.from);
    // Still held with the old region in a later period: not a move.
    if (sameRun.some((q) => q.to === p.to && startYear(q) > end)) continue;
    const later = sameRun
      .filter((q) => q.to !== p.to && !g.within(q.to, p.to) && !g.within(p.to, q.to) && startYear(q) >= end)
      .filter((q) => province(q.to) === province(p.to) && province(q.to) !== q.to)
      .sort((x, y) => startYear(x) - startYear(y));
    if (later[0]) moves.push({ before: p, after: later[0] });
  }
  return moves;
}

/** The relationships as they stand today: one that moved elsewhere reads as ended. */
export function currentPairings<P extends Pairing>(list: readonly P[], g: Gazetteer, moves = derivePairingMoves(list, g)): P[] {
  // Earlier periods of a moved relationship (阿克苏 2001–2005, then 2006–2010, then moved) moved with it.
  const key = (p: Pairing) => `${p.kind}|${p.from}|${p.to}`;
  const moved = new Set(moves.map((m) => key(m.before)));
  return list.map((p) => (moved.has(key(p)) ? { ...p, status: 'ended' as const } : p));
}
