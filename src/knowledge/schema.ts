/**
 * zod schemas for everything in seeds/ (the binding formats of the team brief): plan front
 * matter, the regions gazetteer, pairings and deadlines. A file that does not fit stops start-up
 * with a StartupError naming the file, the entry and the reason.
 */
import { z } from 'zod';
import { msg } from '../i18n/index.ts';

import { seedError } from './seed-error.ts';

const t = msg.startup.seeds;

const nonEmpty = z.string().trim().min(1, { message: t.nonEmpty });
const kebabId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: t.kebabId });
const dateLike = z.string().regex(/^\d{4}(?:-\d{2}(?:-\d{2})?)?$/, { message: t.dateLike });

export const frontMatterSchema = z.object({
  id: kebabId,
  title: nonEmpty,
  issuer: z.string().default(''),
  number: z.string().default(''),
  date: z.union([dateLike, z.literal('')]).default(''),
  source: z.string().default(''),
  language: z.enum(['zh-Hans', 'zh-Hant']).default('zh-Hans'),
  short: z.string().optional(),
});
export type FrontMatter = z.infer<typeof frontMatterSchema>;

const REGION_LEVELS = ['province', 'prefecture', 'county', 'district', 'zone'] as const;

export const regionSchema = z.object({
  id: kebabId,
  name: nonEmpty,
  level: z.enum(REGION_LEVELS),
  parent: kebabId.nullable(),
  short: z.array(nonEmpty).default([]),
  aliases: z.array(nonEmpty).default([]),
  traditional: z.array(nonEmpty).default([]),
  renamed: z
    .array(z.object({ from: nonEmpty, year: z.number().int().optional(), note: z.string().optional() }))
    .optional(),
});
export type Region = z.infer<typeof regionSchema>;

export const sourceSchema = z.object({ doc: nonEmpty, quote: nonEmpty });
export type SourceRef = z.infer<typeof sourceSchema>;

export {  seedError } from './seed-error.ts';

export const pairingSchema = z.object({
  id: nonEmpty,
  // The brief's list is open-ended ("…"): any non-empty kind is accepted, the usual ones sort first.
  kind: nonEmpty,
  from: kebabId,
  to: kebabId,
  period: z.object({ start: z.string().optional(), end: z.string().optional() }).optional(),
  fields: z.array(z.string()).default([]),
  leads: z.array(z.string()).default([]),
  mechanisms: z.array(z.string()).default([]),
  status: z.enum(['active', 'handed-over', 'ended', 'planned']),
  note: z.string().optional(),
  source: sourceSchema,
});
export type Pairing = z.infer<typeof pairingSchema>;

export const deadlineSchema = z.object({
  id: nonEmpty,
  kind: z.enum(['target', 'recurring', 'task', 'period']),
  text: nonEmpty,
  due: z
    .string()
    .regex(/^\d{4}(?:-\d{2}-\d{2})?$/, { message: t.dueFormat })
    .optional(),
  recurrence: z.string().optional(),
  regions: z.array(kebabId).default([]),
  owners: z.array(z.string()).default([]),
  target: z.string().optional(),
  source: sourceSchema,
});
export type Deadline = z.infer<typeof deadlineSchema>;


/** Validate a JSON array file entry by entry; the first bad entry stops start-up. */
export function parseSeedArray<T>(schema: z.ZodType<T>, data: unknown, file: string): T[] {
  if (!Array.isArray(data)) throw seedError(file, t.wholeFile, t.notArray);
  const out: T[] = [];
  const ids = new Set<string>();
  data.forEach((item, i) => {
    const r = schema.safeParse(item);
    const id = typeof item === 'object' && item && 'id' in item ? String((item as { id: unknown }).id) : undefined;
    if (!r.success) {
      const reason = t.issues(r.error.issues.map((iss) => `${iss.path.join('.') || t.wholeEntry}: ${iss.message}`));
      throw seedError(file, id ?? i, reason);
    }
    if (id !== undefined) {
      if (ids.has(id)) throw seedError(file, id, t.duplicateId);
      ids.add(id);
    }
    out.push(r.data);
  });
  return out;
}

/** Split `---` front matter (key: value per line) from a plan body. */
export function splitFrontMatter(src: string): { meta: Record<string, string> | undefined; body: string } {
  const text = src.replace(/^\uFEFF/, '');
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!m) return { meta: undefined, body: text };
  const meta: Record<string, string> = {};
  for (const line of m[1]!.split(/\r?\n/)) {
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line.trim());
    if (kv) meta[kv[1]!] = kv[2]!.trim().replace(/^["'](.*)["']$/, '$1');
  }
  return { meta, body: text.slice(m[0].length) };
}
