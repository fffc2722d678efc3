/**
 * seeds/groups.json: example channel groups for the programmes in the documents and the
 * emergency groups the alert routing names. Destinations there are `console:` placeholders an
 * admin replaces. Loading is idempotent and never touches a group that already exists, so an
 * admin's real chats are never overwritten by a re-seed.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { StartupError } from './errors.ts';
import type { Groups } from './groups.ts';
import { isValidGroupName } from './groups.ts';
import { parseDestination } from './messages.ts';

const destinationText = z.string().refine((s) => parseDestination(s) !== undefined, { message: '应为 平台:聊天ID，例如 console:沪滇-1' });

export const groupSeedSchema = z.object({
  description: z.string(),
  groups: z.array(
    z.object({
      name: z.string().refine(isValidGroupName, { message: '组名不能含空格或冒号，长度 1–40' }),
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
    throw new StartupError(`${file}: 无法读取或不是 JSON（${e instanceof Error ? e.message : String(e)}）`);
  }
  const r = groupSeedSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new StartupError(`${file} 有误：\n${lines.join('\n')}`);
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const g of r.data.groups) {
    if (seen.has(g.name)) problems.push(`  ${g.name}: 组名重复`);
    seen.add(g.name);
    if (regionIds) for (const id of g.regions) if (!regionIds.has(id)) problems.push(`  ${g.name}: 未知地区 ${id}（不在 regions.json 中）`);
  }
  if (problems.length) throw new StartupError(`${file} 有误：\n${problems.join('\n')}`);
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
