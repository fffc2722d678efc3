/**
 * Deadlines and targets from the plans: dated goals, recurring obligations and the tasks of task
 * tables, each pointing back to its clause. Queried by region, department, year, and as
 * upcoming/overdue against an injected clock.
 */
import type { Gazetteer } from './gazetteer.ts';
import { fold } from './fold.ts';
import type { Clause } from './parser.ts';
import type { Deadline } from './schema.ts';

export interface ResolvedDeadline extends Deadline {
  clause: Clause;
  /** The date a document takes effect (自…起施行): once past it is in force, not overdue. */
  effective?: boolean;
}

/** The instant a due date ends, UTC+8 (a year-only due is the end of that year). */
export function dueInstant(due: string): number {
  const m = /^(\d{4})(?:-(\d{2})-(\d{2}))?$/.exec(due);
  if (!m) return NaN;
  const y = Number(m[1]);
  if (!m[2]) return Date.UTC(y + 1, 0, 1) - 8 * 3600_000 - 1;
  return Date.UTC(y, Number(m[2]) - 1, Number(m[3]) + 1) - 8 * 3600_000 - 1;
}

/** The year a deadline is due, if it has a due date. */
function dueYear(d: Deadline): number | undefined {
  return d.due ? Number(d.due.slice(0, 4)) : undefined;
}

export class Deadlines {
  readonly all: readonly ResolvedDeadline[];

  constructor(
    list: readonly ResolvedDeadline[],
    private readonly gazetteer: Gazetteer,
  ) {
    this.all = list;
  }

  /** Deadlines naming the region (or, with `withinRegion`, a region under it). */
  byRegion(regionId: string, withinRegion = true): ResolvedDeadline[] {
    return this.all.filter((d) => d.regions.some((r) => r === regionId || (withinRegion && this.gazetteer.within(r, regionId))));
  }

  /** Deadlines whose responsible departments include the text (folded substring match). */
  byOwner(owner: string): ResolvedDeadline[] {
    const f = fold(owner).replace(/\s+/g, '');
    if (!f) return [];
    return this.all.filter((d) => d.owners.some((o) => fold(o).replace(/\s+/g, '').includes(f)));
  }

  byYear(year: number): ResolvedDeadline[] {
    return this.all.filter((d) => dueYear(d) === year);
  }

  byDoc(docId: string): ResolvedDeadline[] {
    return this.all.filter((d) => d.source.doc === docId);
  }

  /** Dated deadlines not yet past at `now`, soonest first. */
  upcoming(now: number): ResolvedDeadline[] {
    return this.all.filter((d) => d.due && dueInstant(d.due) >= now).sort((a, b) => dueInstant(a.due!) - dueInstant(b.due!));
  }

  /** Dated deadlines already past at `now`, most recent first. */
  overdue(now: number): ResolvedDeadline[] {
    return this.all.filter((d) => d.due && dueInstant(d.due) < now).sort((a, b) => dueInstant(b.due!) - dueInstant(a.due!));
  }

  /** Recurring obligations (annual joint meetings …). */
  recurring(): ResolvedDeadline[] {
    return this.all.filter((d) => d.kind === 'recurring');
  }
}
