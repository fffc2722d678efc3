/**
 * Who hears an alert. The rules name each region's emergency group and the tiers above them; the
 * pairing graph adds every party paired with the stricken region or any region above it (a
 * county's alert also reaches its prefecture's and province's partners). When the home region
 * (上海) is itself struck, its partners hear it as a 慰问 notice instead of a call to act.
 */
import { msg } from '../i18n/index.ts';
import type { Level } from './levels.ts';
import { AFFECTED_TIER, type RoutingRules } from './rules.ts';

export interface RegionInfo {
  id: string;
  name: string;
  level: string;
  parent: string | null;
}

export type RegionLookup =
  | { kind: 'one'; region: RegionInfo }
  | { kind: 'ambiguous'; candidates: RegionInfo[] }
  | { kind: 'none'; suggestions: RegionInfo[] };

/** What routing needs from the gazetteer and the pairings; src/alerts/graph.ts adapts the knowledge. */
export interface RegionGraph {
  /** Resolve a name as people type it: short names, aliases, Traditional forms, old names. */
  lookup(name: string): RegionLookup;
  get(id: string): RegionInfo | undefined;
  /** Region ids paired with `id` in either direction, by pairings whose status is in `statuses`. */
  partners(id: string, statuses: readonly string[]): string[];
}

/** Why a group hears the alert. */
export type RecipientRole = 'stricken' | 'partner' | 'condolence' | 'tier';

export interface Recipient {
  group: string;
  role: RecipientRole;
  /** Tier id (AFFECTED_TIER for the stricken region and its partners). */
  tier: string;
  /** The region a stricken/partner/condolence group stands for. */
  region?: string;
}

export interface RoutePlan {
  /** Groups notified at once, in a stable order, each group once. */
  initial: Recipient[];
  /** Escalation steps in order; each a set of groups not notified before. */
  escalation: { tier: string; name: string; recipients: Recipient[] }[];
  /** Region ids paired with the stricken region (after walking up), for display. */
  partners: string[];
  condolence: boolean;
}

/** The region and its ancestors, nearest first. */
function ancestry(graph: RegionGraph, id: string): RegionInfo[] {
  const out: RegionInfo[] = [];
  const seen = new Set<string>();
  let cur = graph.get(id);
  while (cur && !seen.has(cur.id)) {
    out.push(cur);
    seen.add(cur.id);
    cur = cur.parent ? graph.get(cur.parent) : undefined;
  }
  return out;
}

export class AlertRouting {
  private readonly groupOf = new Map<string, string>();

  constructor(
    readonly rules: RoutingRules,
    readonly graph: RegionGraph,
  ) {
    for (const r of rules.regions) this.groupOf.set(r.region, r.group);
  }

  /** The emergency group standing for a region: its own, else the nearest ancestor's. */
  emergencyGroup(regionId: string): { group: string; region: string } | undefined {
    for (const r of ancestry(this.graph, regionId)) {
      const g = this.groupOf.get(r.id);
      if (g) return { group: g, region: r.id };
    }
    return undefined;
  }

  /** Whether a region is the home region or lies below it. */
  isHome(regionId: string): boolean {
    return ancestry(this.graph, regionId).some((r) => r.id === this.rules.home);
  }

  /** Partners of the region and of every region above it, in either direction, without itself. */
  partnersOf(regionId: string): string[] {
    const line = ancestry(this.graph, regionId);
    const own = new Set(line.map((r) => r.id));
    const out: string[] = [];
    for (const r of line)
      for (const p of this.graph.partners(r.id, this.rules.pairingStatuses))
        if (!own.has(p) && !out.includes(p)) out.push(p);
    return out;
  }

  /** The whole plan for an alert: who hears it now and who hears each escalation step. */
  plan(regionId: string, level: Level, drill: boolean): RoutePlan {
    const condolence = this.isHome(regionId);
    const partners = this.partnersOf(regionId);
    const taken = new Set<string>();
    const affected: Recipient[] = [];
    const push = (list: Recipient[], r: Recipient) => {
      if (taken.has(r.group)) return;
      taken.add(r.group);
      list.push(r);
    };
    const own = this.emergencyGroup(regionId);
    if (own) push(affected, { group: own.group, role: 'stricken', tier: AFFECTED_TIER, region: own.region });
    for (const p of partners) {
      const g = this.emergencyGroup(p);
      if (g) push(affected, { group: g.group, role: condolence ? 'condolence' : 'partner', tier: AFFECTED_TIER, region: g.region });
    }

    const rule = this.rules.levels[level];
    const tierGroups = (id: string): Recipient[] => {
      if (id === AFFECTED_TIER) return affected;
      const t = this.rules.tiers.find((x) => x.id === id);
      if (!t || (drill && t.leadership)) return [];
      const out: Recipient[] = [];
      for (const g of t.groups) push(out, { group: g, role: 'tier', tier: t.id });
      return out;
    };
    const initial: Recipient[] = [];
    for (const t of rule.initial) initial.push(...tierGroups(t));
    const escalation: RoutePlan['escalation'] = [];
    for (const t of rule.escalation) {
      const recipients = tierGroups(t);
      if (recipients.length) escalation.push({ tier: t, name: this.tierName(t), recipients });
    }
    return { initial, escalation, partners, condolence };
  }

  tierName(id: string): string {
    return id === AFFECTED_TIER ? msg.alerts.affectedTierName : (this.rules.tiers.find((t) => t.id === id)?.name ?? id);
  }

  /** Every group the rules can name, for checks against the channel groups that exist. */
  allGroups(): string[] {
    return [...new Set([...this.groupOf.values(), ...this.rules.tiers.flatMap((t) => t.groups)])];
  }
}

/**
 * The plan of an open alert raised to a graver level: everyone notified so far stays notified
 * (with the role they were reached in) beside the new level's initial groups, and the new
 * level's escalation steps keep only groups not yet notified, so nobody is told twice.
 */
export function raisedPlan(notified: readonly Recipient[], fresh: RoutePlan): RoutePlan {
  const initial = [...fresh.initial];
  const taken = new Set(initial.map((r) => r.group));
  for (const r of notified) {
    if (taken.has(r.group)) continue;
    taken.add(r.group);
    initial.push(r);
  }
  const escalation = fresh.escalation
    .map((s) => ({ ...s, recipients: s.recipients.filter((r) => !taken.has(r.group)) }))
    .filter((s) => s.recipients.length);
  return { ...fresh, initial, escalation };
}

/**
 * The role a group hears the alert in, as recorded in its plan; undefined for a group the plan
 * does not name (a chat acknowledged directly by an emergency-role holder).
 */
export function roleOfGroup(plan: RoutePlan, group: string): RecipientRole | undefined {
  for (const r of plan.initial) if (r.group === group) return r.role;
  for (const s of plan.escalation) for (const r of s.recipients) if (r.group === group) return r.role;
  return undefined;
}
