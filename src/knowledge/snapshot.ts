/**
 * The knowledge base's snapshot: the parsed corpus (documents and clauses, the validated seed
 * files) and the search index, saved in one binary file (snapshot-file.ts) and read back instead
 * of parsing and indexing again. Only the parse and the index are stored; everything derived
 * from them (gazetteer, pairings and deadlines resolved to clauses, titles …) is still computed
 * by the Knowledge constructor, so changing that code needs no snapshot change.
 *
 * The key hashes every input: the code that parses and indexes (the files of this folder as they
 * run, and the dependency lock), the seed files, and each plan folder's file names and contents,
 * in order. Any change to a document, a --plans folder or the parser gives another key, and a
 * snapshot under another key — or a damaged one — is rebuilt from the sources.
 */
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../root.ts';
import { type KnowledgeData, Knowledge, type KnowledgeLoadOptions, type SeedFiles, seedFiles } from './knowledge.ts';
import { SearchIndex } from './search-index.ts';
import { readSnapshot, type SectionValue, writeSnapshot } from './snapshot-file.ts';

/** Bump when the layout of the sections below changes. */
const FORMAT = 'knowledge-1';

const DEFAULT_SNAPSHOT_DIR = join(PROJECT_ROOT, '.cache', 'snapshots');

export interface SnapshotLoadOptions extends KnowledgeLoadOptions {
  /** Folder of the snapshot files; false: neither read nor write one. Default DEFAULT_SNAPSHOT_DIR. */
  snapshotDir?: string | false;
  /** Sections of this many bytes and more are paged (snapshot-file.ts; default 32 MiB). */
  pagedFrom?: number;
  /** Told when a loaded snapshot turns out damaged (a page read by a query, or the background check). */
  onDamaged?: (reason: string) => void;
}

type SnapshotOutcome = 'loaded' | 'written' | 'unwritable' | 'off';

export interface LoadedKnowledge {
  knowledge: Knowledge;
  snapshot: SnapshotOutcome;
  /** The snapshot file used or written (absent when off). */
  file?: string;
}

let codeVersion: string | undefined;

/**
 * The folder of the parsing and indexing code: this module's own (.ts under tsx, .js compiled).
 * The bundle (dist/<build>/bundle/, src/bin/build.mjs) runs chunks that mix it with everything
 * else, so there the same code compiled file by file in the build's src/knowledge/ is hashed:
 * a change elsewhere keeps the snapshot, and a start reads a dozen files, not every chunk.
 */
function knowledgeCodeDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return basename(here) === 'bundle' ? join(here, '..', 'src', 'knowledge') : here;
}

/** The parsing and indexing code as it runs plus the lock file. */
function codeHash(): string {
  if (codeVersion) return codeVersion;
  const h = createHash('sha256').update(FORMAT);
  const dir = knowledgeCodeDir();
  for (const name of readdirSync(dir).sort()) {
    if (!/\.(ts|js)$/.test(name)) continue;
    h.update(name).update('\0').update(readFileSync(join(dir, name))).update('\0');
  }
  // fold.ts folds through opencc-js's dictionaries: another version may fold differently.
  try {
    h.update(readFileSync(join(PROJECT_ROOT, 'package-lock.json')));
  } catch {
    h.update('no lock');
  }
  codeVersion = h.digest('hex');
  return codeVersion;
}

/** File names with one of `exts`, sorted — the order loadCorpus reads them in. */
function listed(dir: string, exts: string[]): string[] {
  return readdirSync(dir)
    .filter((n) => exts.includes(extname(n).toLowerCase()))
    .sort();
}

function hashFile(h: Hash, file: string): void {
  h.update(file).update('\0');
  try {
    h.update(readFileSync(file));
  } catch (e) {
    h.update(`unreadable:${(e as NodeJS.ErrnoException).code ?? ''}`);
  }
  h.update('\0');
}

/**
 * Hash of every input of the parse and the index. Undefined when a plan folder cannot be read:
 * then the sources are loaded and report the problem themselves.
 */
function snapshotKey(opts: KnowledgeLoadOptions): string | undefined {
  const h = createHash('sha256').update(codeHash());
  for (const f of Object.values(seedFiles(opts.seedsDir))) hashFile(h, f);
  const plans = join(opts.seedsDir, 'plans');
  let seedPlans: string[] = [];
  try {
    seedPlans = listed(plans, ['.md']);
  } catch {
    // no seeds/plans: loadCorpus treats it as empty too
  }
  for (const n of seedPlans) hashFile(h, join(plans, n));
  for (const dir of opts.planDirs ?? []) {
    h.update(`\0dir\0${dir}\0`);
    let names: string[];
    try {
      names = listed(dir, ['.md', '.txt']);
    } catch {
      return undefined;
    }
    for (const n of names) hashFile(h, join(dir, n));
  }
  return h.digest('hex');
}

/** One file per set of sources (seeds folder and plan folders), so alternating sets do not evict each other. */
function snapshotFile(dir: string, opts: KnowledgeLoadOptions): string {
  const which = createHash('sha256')
    .update(JSON.stringify([resolve(opts.seedsDir), ...(opts.planDirs ?? []).map((d) => resolve(d))]))
    .digest('hex')
    .slice(0, 16);
  return join(dir, `knowledge-${which}.snap`);
}

/** A search index as snapshot sections: its term list as JSON, its postings as typed arrays. */
export function indexSections(index: SearchIndex): Record<string, SectionValue> {
  const p = index.parts();
  return {
    index: { json: { size: p.size, scale: p.scale, terms: p.terms } },
    termBlocks: p.termBlocks,
    blocks: p.blocks,
    termMax: p.termMax,
    post: p.post,
  };
}

/** The search index of a snapshot read back, or undefined when a section is missing or of the wrong kind. */
export function restoreIndex(s: Map<string, SectionValue>): SearchIndex | undefined {
  const meta = (s.get('index') as { json: { size: number; scale: number; terms: string[] } } | undefined)?.json;
  const termBlocks = s.get('termBlocks');
  const blocks = s.get('blocks');
  const termMax = s.get('termMax');
  const stored = s.get('post');
  if (!meta || !(termBlocks instanceof Int32Array) || !(blocks instanceof Int32Array)) return undefined;
  if (!(termMax instanceof Int32Array)) return undefined;
  // A large index's postings are read as queries first need them (snapshot-file.ts).
  if (stored instanceof Uint16Array) return new SearchIndex({ ...meta, termBlocks, blocks, termMax, post: stored });
  if (!stored || !('lazy' in stored) || !(stored.lazy instanceof Uint16Array)) return undefined;
  const post = stored.lazy;
  return new SearchIndex({ ...meta, termBlocks, blocks, termMax, post, loadPostings: (from, to) => stored.load(from * 2, to * 2) });
}

/**
 * A large section's pages are checked when first read; the rest are checked in the background
 * after start-up, and a damaged file is removed so that the next start rebuilds it. A damaged page
 * is never used: its reader throws SnapshotDamaged and the knowledge base answers from an index
 * rebuilt from its clauses (Knowledge.searchIndex).
 */
function checkUnread(s: Map<string, SectionValue>, file: string, onDamaged?: (reason: string) => void): void {
  for (const v of s.values()) {
    if (!('lazy' in v)) continue;
    void v.verify().then((whole) => {
      if (whole) return;
      rmSync(file, { force: true });
      onDamaged?.(`snapshot ${file}: the background check found damaged pages; removed, the next start rebuilds it`);
    });
  }
}

function restore(s: Map<string, SectionValue>, files: SeedFiles, onDamaged?: (reason: string) => void): Knowledge | undefined {
  const data = (s.get('data') as { json: KnowledgeData } | undefined)?.json;
  const index = restoreIndex(s);
  return data && index ? Knowledge.build(data, files, index, onDamaged && ((e) => onDamaged(`${e.message}; answering from an index rebuilt from the clauses`))) : undefined;
}

/**
 * The knowledge base from its snapshot when one matches the sources, else from the sources
 * (then saved as the snapshot for the next start). Problems in the sources are StartupErrors as
 * with Knowledge.load; a snapshot that cannot be written only costs the next start its speed.
 */
export async function loadKnowledgeCached(opts: SnapshotLoadOptions): Promise<LoadedKnowledge> {
  const dir = opts.snapshotDir ?? DEFAULT_SNAPSHOT_DIR;
  const key = dir === false ? undefined : snapshotKey(opts);
  if (dir === false || key === undefined) return { knowledge: await Knowledge.load(opts), snapshot: 'off' };
  const file = snapshotFile(dir, opts);
  const files = seedFiles(opts.seedsDir);
  const found = await readSnapshot(file, key);
  const restored = found && restore(found, files, opts.onDamaged);
  if (restored) {
    checkUnread(found, file, opts.onDamaged);
    return { knowledge: restored, snapshot: 'loaded', file };
  }
  const { data } = await Knowledge.loadData(opts);
  const knowledge = Knowledge.build(data, files);
  try {
    writeSnapshot(file, key, { data: { json: data }, ...indexSections(knowledge.index) }, { lazyFrom: opts.pagedFrom });
    return { knowledge, snapshot: 'written', file };
  } catch {
    return { knowledge, snapshot: 'unwritable', file };
  }
}
