/**
 * seeds/groups.json: example channel groups for the programmes in the documents and the
 * emergency groups the alert routing names. Destinations there are `console:` placeholders an
 * admin replaces. Loading is idempotent and never touches a group that already exists, so an
 * admin's real chats are never overwritten by a re-seed.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { StartupError } from '../errors.ts';
import type { Groups } from './groups.ts';
import { isValidGroupName } from './groups.ts';
import { msg } from '../i18n/index.ts';
import { parseDestination } from '../messages.ts';

const t = msg.groups;

const destinationText = z.string().refine((s) => parseDestination(s) !== undefined, { message: t.seedBadDestination });

const groupSeedSchema = z.object({
  description: z.string(),
  groups: z.array(
    z.object({
      name: z.string().refine(isValidGroupName, { message: t.seedBadName }),
      title: z.string().optional(),
      description: z.string().optional(),
      /** Region ids (seeds/regions.json) the group serves. */
      regions: z.array(z.string()).default([]),
      destinations: z.array(z.object({ to: destinationText, label: z.string().optional() })).default([]),
    }),
  ),
});

export type GroupSeeds = z.infer<typeof groupSeedSchema>;

/** Parse and validate the file; every region id must be in the gazetteer when one is given. */
export async function loadGroupSeeds(file: string, regionIds?: Set<string>): Promise<GroupSeeds> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new StartupError(t.seedUnreadable(file, e instanceof Error ? e.message : String(e)));
  }
  const r = groupSeedSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new StartupError(t.seedInvalid(file, lines));
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const g of r.data.groups) {
    if (seen.has(g.name)) problems.push(t.seedDuplicate(g.name));
    seen.add(g.name);
    if (regionIds) for (const id of g.regions) if (!regionIds.has(id)) problems.push(t.seedUnknownRegion(g.name, id));
  }
  if (problems.length) throw new StartupError(t.seedInvalid(file, problems));
  return r.data;
}

/** Create every seeded group that does not exist yet, with its placeholder destinations. */
export async function seedGroups(groups: Groups, seeds: GroupSeeds): Promise<{ created: string[]; kept: string[] }> {
  const created: string[] = [];
  const kept: string[] = [];
  for (const g of seeds.groups) {
    const meta = { createdBy: 'seed', ...(g.title ? { title: g.title } : {}), ...(g.description ? { description: g.description } : {}) };
    if (!(await groups.create(g.name, meta))) {
      kept.push(g.name);
      continue;
    }
    await groups.add(
      g.name,
      g.destinations.map((d) => ({ to: parseDestination(d.to)!, ...(d.label ? { label: d.label } : {}) })),
    );
    created.push(g.name);
  }
  return { created, kept };
}
