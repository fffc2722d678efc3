/**
 * The plan documents: seeds/plans/*.md (front matter required and validated) plus any extra
 * folders given for a run (--plans DIR, PLANS_DIRS), whose .txt/.md files may lack front matter —
 * their title then comes from the first line and their id from the file name.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { StartupError } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import { type ParsedDoc, parseDocument } from './parser.ts';
import { type FrontMatter, frontMatterSchema, splitFrontMatter } from './schema.ts';

const CLAUSE_START = /^(第[一二三四五六七八九十百零〇两\d]+[编編章节節条條]|[一二三四五六七八九十]+[、，]|[（(][一二三四五六七八九十\d]+[）)]|[\d０-９]+[.、．]|——)/;

export interface PlanDoc extends ParsedDoc {
  meta: FrontMatter;
  file: string;
}

/** Parse one plan file; `requireMeta` for seeds/plans, where front matter is binding. */
export function loadPlanText(src: string, file: string, requireMeta: boolean): PlanDoc {
  const { meta, body } = splitFrontMatter(src);
  let fm: FrontMatter;
  let text = body;
  if (meta) {
    const r = frontMatterSchema.safeParse(meta);
    if (!r.success) {
      const reason = msg.startup.seeds.issues(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      throw new StartupError(msg.startup.docs.badFrontMatter(file, reason));
    }
    fm = r.data;
  } else {
    if (requireMeta) throw new StartupError(msg.startup.docs.missingFrontMatter(file));
    const { title, rest } = titleOf(body, file);
    text = rest;
    fm = { id: idFromFile(file), title, issuer: '', number: '', date: '', source: file, language: 'zh-Hans' };
  }
  const doc = parseDocument(text, { docId: fm.id, title: fm.title });
  if (!doc.clauses.length) throw new StartupError(msg.startup.docs.noBody(file));
  return { ...doc, meta: fm, file };
}

/** Lines read before the first clause when looking for a title. */
const TITLE_SCAN_LINES = 12;

/**
 * The title of a document without front matter: its first `# heading`, else a line that is
 * wholly 《title》, else a short first line that is not a clause, else the file name. The title
 * line is left out of the body so it does not become a clause; HTML comments (<!-- INFO END -->)
 * are dropped.
 */
function titleOf(body: string, file: string): { title: string; rest: string } {
  const lines = body.split(/\r?\n/).map((l) => (/^\s*<!--.*-->\s*$/.test(l) ? '' : l));
  const head: number[] = [];
  for (let i = 0; i < lines.length && head.length < TITLE_SCAN_LINES; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    if (CLAUSE_START.test(l.replace(/^#+\s*/, ''))) break;
    head.push(i);
  }
  const without = (i: number) => [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
  const clean = (l: string) => l.trim().replace(/^#+\s*/, '').replace(/^《(.*)》$/, '$1').trim();
  const h1 = head.find((i) => /^#\s+\S/.test(lines[i]!.trim()));
  if (h1 !== undefined) return { title: clean(lines[h1]!), rest: without(h1) };
  const quoted = head.find((i) => /^《[^《》]{2,60}》$/.test(lines[i]!.trim()));
  if (quoted !== undefined) return { title: clean(lines[quoted]!), rest: without(quoted) };
  const firstIdx = lines.findIndex((l) => l.trim() !== '');
  const first = firstIdx >= 0 ? clean(lines[firstIdx]!) : '';
  // A first line that is already a numbered clause (第一章 总则, 一、…) is not a title.
  const isTitle = !!first && first.length <= 60 && !CLAUSE_START.test(first) && !/[。；;]$/.test(first);
  if (isTitle) return { title: first, rest: without(firstIdx) };
  return { title: basename(file, extname(file)), rest: lines.join('\n') };
}

/** A kebab id from a file name; non-ASCII names get a short stable hash. */
function idFromFile(file: string): string {
  const base = basename(file, extname(file));
  const ascii = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (ascii.length >= 3 && ascii.length >= base.length / 2) return ascii;
  let h = 2166136261;
  for (const ch of base) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return `doc-${ascii ? `${ascii}-` : ''}${h.toString(36)}`;
}

/** Why the file system refused, in words a user reads (ENOENT → 不存在); else the system's message. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && msg.startup.docs.fsReasons[code]) || (e as Error).message;
}

/**
 * A plan document's text. Only UTF-8 text is a document: a binary file, or a GBK or UTF-16 one
 * (common for government files), would be indexed as garbage, so it is refused with the reason.
 */
export async function readPlanFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new StartupError(msg.startup.docs.unreadableFile(file, fsReason(e)));
  }
  try {
    if (bytes.includes(0)) throw new Error('NUL');
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new StartupError(msg.startup.docs.notUtf8(file));
  }
}

async function listFiles(dir: string, exts: string[]): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new StartupError(msg.startup.docs.unreadableDir(dir, fsReason(e)));
  }
  // A folder named like a document (notes.md/) is not one.
  return entries
    .filter((e) => !e.isDirectory() && exts.includes(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort()
    .map((n) => join(dir, n));
}

/** Load seeds/plans (strict) and extra dirs (lenient); ids must be unique across all. */
export async function loadCorpus(plansDir: string, extraDirs: readonly string[] = []): Promise<PlanDoc[]> {
  const docs: PlanDoc[] = [];
  const seen = new Map<string, string>();
  const add = (d: PlanDoc) => {
    const prev = seen.get(d.meta.id);
    if (prev) throw new StartupError(msg.startup.docs.duplicateId(d.file, d.meta.id, prev));
    seen.set(d.meta.id, d.file);
    docs.push(d);
  };
  let seedFiles: string[] = [];
  try {
    seedFiles = await listFiles(plansDir, ['.md']);
  } catch {
    seedFiles = []; // no seeds/plans yet: the corpus is whatever the extra dirs bring
  }
  for (const f of seedFiles) add(loadPlanText(await readPlanFile(f), f, true));
  for (const dir of extraDirs) {
    for (const f of await listFiles(dir, ['.md', '.txt'])) add(loadPlanText(await readPlanFile(f), f, false));
  }
  return docs;
}

