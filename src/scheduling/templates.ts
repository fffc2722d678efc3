/**
 * Templates for the standing meeting systems the documents set up (seeds/meetings.json): title,
 * usual recurrence, reminders, place and default group, each pointing back to the clause that
 * establishes it. A coordinator instantiates one with `/meeting add --template ID <time>`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { msg } from '../i18n/index.ts';
import { parseSeedArray, seedError, sourceSchema, type SourceRef } from '../knowledge/schema.ts';
import { parseOffsets, parseRecurrence, type Recurrence } from '../time.ts';

const templateSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: msg.startup.seeds.kebabIdPlain }),
  title: z.string().trim().min(1),
  note: z.string().optional(),
  every: z.string().optional(),
  remind: z.string().optional(),
  where: z.string().optional(),
  group: z.string().optional(),
  source: sourceSchema,
});

export interface MeetingTemplate {
  id: string;
  title: string;
  note?: string;
  every?: Recurrence;
  remind: string[];
  where?: string;
  group?: string;
  source: SourceRef;
  /** Human citation of the clause the source quotes (filled in when resolved against knowledge). */
  citation?: string;
}

/** The slice of knowledge that resolves a `{doc, quote}` to its clause. */
export interface SourceResolver {
  resolveSource(src: SourceRef): { ok: true; clause: { citation: string } } | { ok: false; reason: string };
}

/**
 * Point each template at its clause; a quote that does not resolve is a StartupError naming the
 * file, the template and the reason, like every other seed.
 */
export function resolveTemplates(templates: MeetingTemplate[], knowledge: SourceResolver): MeetingTemplate[] {
  return templates.map((t) => {
    const r = knowledge.resolveSource(t.source);
    if (!r.ok) throw seedError(MEETINGS_SEED_FILE, t.id, r.reason);
    return { ...t, citation: r.clause.citation };
  });
}

const MEETINGS_SEED_FILE = 'meetings.json';

/** Parse and validate the templates; a bad entry is a StartupError naming file, id and reason. */
export function parseTemplates(data: unknown, file = MEETINGS_SEED_FILE): MeetingTemplate[] {
  return parseSeedArray(templateSchema, data, file).map((t) => {
    const out: MeetingTemplate = { id: t.id, title: t.title, remind: [], source: t.source };
    if (t.note) out.note = t.note;
    if (t.where) out.where = t.where;
    if (t.group) out.group = t.group;
    if (t.every) {
      const every = parseRecurrence(t.every);
      if (!every) throw seedError(file, t.id, msg.startup.seeds.badEvery(t.every));
      out.every = every;
    }
    if (t.remind) {
      const r = parseOffsets(t.remind);
      if (!r.ok) throw seedError(file, t.id, msg.startup.seeds.badRemind(r.bad));
      out.remind = r.value.map((o) => o.label);
    }
    return out;
  });
}

/** Load seeds/meetings.json from a seeds folder; a missing file means no templates. */
export async function loadTemplates(seedsDir: string): Promise<MeetingTemplate[]> {
  const file = join(seedsDir, MEETINGS_SEED_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw seedError(MEETINGS_SEED_FILE, msg.startup.seeds.wholeFile, msg.startup.seeds.invalidJson((e as Error).message));
  }
  return parseTemplates(data);
}
