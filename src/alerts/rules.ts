/**
 * The alert routing rules (seeds/alert-routing.json), validated at load. They say which channel
 * group is each region's emergency group, which tiers of groups hear an alert at once and in
 * which order it escalates, per level, and how long each level waits for an acknowledgement.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { StartupError } from '../errors.ts';
import { LEVELS, type Level } from './levels.ts';

/** The tier computed from the pairing graph: the stricken region's group and its partners'. */
export const AFFECTED_TIER = 'affected';

const levelRule = z.object({
  /** Tiers that hear the alert as soon as it is sent. */
  initial: z.array(z.string().min(1)).min(1),
  /** Tiers reached one after another while nobody acknowledges. */
  escalation: z.array(z.string().min(1)),
  /** How long to wait for an acknowledgement before the next escalation step. */
  timeoutMs: z.number().int().positive(),
});

const routingRulesSchema = z
  .object({
    /** The region whose partners receive its own alerts as a 慰问 notice. */
    home: z.string().min(1),
    /** A second trigger for the same region and type within this window joins the open alert. */
    duplicateWindowMs: z.number().int().positive().default(30 * 60_000),
    /** Pairing statuses that count as "paired" for routing. */
    pairingStatuses: z.array(z.string().min(1)).default(['active']),
    regions: z
      .array(z.object({ region: z.string().min(1), group: z.string().min(1), note: z.string().optional() }))
      .min(1),
    tiers: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z][a-z0-9-]*$/),
          name: z.string().min(1),
          groups: z.array(z.string().min(1)),
          /** Leadership tiers never hear drills. */
          leadership: z.boolean().default(false),
        }),
      )
      .min(1),
    levels: z.object(Object.fromEntries(LEVELS.map((l) => [l, levelRule])) as Record<Level, typeof levelRule>),
  })
  .superRefine((r, ctx) => {
    const tierIds = new Set(r.tiers.map((t) => t.id));
    if (tierIds.has(AFFECTED_TIER))
      ctx.addIssue({ code: 'custom', path: ['tiers'], message: `"${AFFECTED_TIER}" is computed, not listed` });
    tierIds.add(AFFECTED_TIER);
    for (const l of LEVELS) {
      const rule = r.levels[l];
      for (const [k, list] of [['initial', rule.initial], ['escalation', rule.escalation]] as const)
        list.forEach((t, i) => {
          if (!tierIds.has(t)) ctx.addIssue({ code: 'custom', path: ['levels', l, k, i], message: `unknown tier "${t}"` });
        });
    }
    const seen = new Set<string>();
    r.regions.forEach((e, i) => {
      if (seen.has(e.region)) ctx.addIssue({ code: 'custom', path: ['regions', i], message: `region "${e.region}" listed twice` });
      seen.add(e.region);
    });
  });

export type RoutingRules = z.infer<typeof routingRulesSchema>;

export const ROUTING_FILE = 'alert-routing.json';

/** Parse rules from JSON text; a problem names the file, the path and the reason. */
export function parseRoutingRules(text: string, file = ROUTING_FILE): RoutingRules {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StartupError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = routingRulesSchema.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${file} ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new StartupError(`alert routing rules are invalid:\n${lines.join('\n')}`);
  }
  return r.data;
}

export async function loadRoutingRules(seedsDir: string): Promise<RoutingRules> {
  const file = join(seedsDir, ROUTING_FILE);
  return parseRoutingRules(await readFile(file, 'utf8'), file);
}

/**
 * Per-level timeouts after configuration: ALERT_TIMEOUTS_MS overrides single levels, then
 * ALERT_TIMEOUT_SCALE multiplies them all (tests and drills of the escalation path use 0.001).
 */
export function effectiveTimeouts(
  rules: RoutingRules,
  overrides: Partial<Record<Level, number>> = {},
  scale = 1,
): Record<Level, number> {
  const out = {} as Record<Level, number>;
  for (const l of LEVELS) out[l] = Math.max(1, Math.round((overrides[l] ?? rules.levels[l].timeoutMs) * scale));
  return out;
}

/** "I=300000,II=900000" → per-level overrides; throws naming the bad part. */
export function parseTimeoutOverrides(text: string): Partial<Record<Level, number>> {
  const out: Partial<Record<Level, number>> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(I|II|III|IV)\s*[=:]\s*(\d+)$/i.exec(part);
    if (!m) throw new Error(`"${part}" is not LEVEL=ms`);
    out[m[1]!.toUpperCase() as Level] = Number(m[2]);
  }
  return out;
}
