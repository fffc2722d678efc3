#!/usr/bin/env node
// `npm run build` (also run by `prepare` and `prestart`) and the first step of every `xiezuo`
// process: make sure dist/ holds JavaScript compiled from exactly the sources in the checkout.
//
// Each build lives in dist/<hash of the sources>/, so a process never runs a stale build: it
// runs the build of the sources it sees, compiling it first when it is missing. Builds are
// written to a temporary folder and renamed into place, and one lock folder per hash makes
// processes started together (tests, workers) wait for one compiler run instead of racing.
// dist/current.json remembers the file list and newest source mtime of the last verified hash, so a start
// where nothing changed only lists and stats the sources (a few ms) instead of hashing them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist');
const SOURCE_DIRS = ['src', 'commands', 'jobs'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json'];
const LOCK_STALE_MS = 5 * 60_000;
const KEEP_BUILDS = 3;

function listSources() {
  const files = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs|json)$/.test(e.name)) files.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(ROOT, d));
  for (const f of CONFIG_FILES) if (existsSync(join(ROOT, f))) files.push(join(ROOT, f));
  return files.sort();
}

function hashSources(files) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(relative(ROOT, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

function readCurrent() {
  try {
    return JSON.parse(readFileSync(join(DIST, 'current.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

async function compile(hash, log) {
  const out = join(DIST, hash);
  const lock = `${out}.lock`;
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    if (existsSync(join(out, 'src', 'cli.js'))) return out;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process is compiling the same sources: wait for it (or take over a dead one's lock).
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // the lock went away meanwhile
      }
      sleep(100);
    }
  }
  try {
    if (existsSync(join(out, 'src', 'cli.js'))) return out;
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    if (!existsSync(tsc)) {
      throw new Error(
        `xiezuo: the compiled build in dist/ is missing or older than the sources, and TypeScript is not installed to rebuild it. Run \`npm ci\` (with dev dependencies) and \`npm run build\`.`,
      );
    }
    const tmp = `${out}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    log(`xiezuo: compiling the sources into dist/${hash} …\n`);
    const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', tmp], {
      cwd: ROOT,
      stdio: ['ignore', 2, 2],
    });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`xiezuo: compiling the sources failed (tsc exit ${r.status ?? r.signal}); see the errors above.`);
    }
    // Files tsc does not emit but the code loads beside itself (worker scripts, manifests).
    for (const f of listSources()) {
      if (!/\.(mjs|json)$/.test(f) || CONFIG_FILES.some((c) => f === join(ROOT, c))) continue;
      const to = join(tmp, relative(ROOT, f));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(f, to);
    }
    await bundle(tmp);
    renameSync(tmp, out);
    return out;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The compiled tree, bundled into `<build>/bundle/`: the entry and its modules as a few chunks
 * (dynamic imports stay lazy, packages stay in node_modules). Node 20 loads each ES module file
 * separately — resolving, reading and linking about 110 of them took a third of the way to the
 * bot's first answer — so the processes run the bundle. Without esbuild (a production install
 * without dev dependencies) the unbundled tree runs as it is.
 */
async function bundle(tree) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return;
  }
  const outdir = join(tree, 'bundle');
  await esbuild.build({
    entryPoints: [join(tree, 'src', 'cli.js')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [packagesExcept(INLINED_PACKAGES)],
    chunkNames: 'chunk-[hash]',
    logLevel: 'error',
  });
  // Loaded beside the code that starts it (new URL('./raster-worker.mjs', import.meta.url)).
  copyFileSync(join(tree, 'src', 'pictures', 'raster-worker.mjs'), join(outdir, 'raster-worker.mjs'));
}

/**
 * Packages bundled with the code rather than loaded from node_modules: pure JavaScript that
 * reads no files beside itself, shipped as many small ES modules (zod 4: 95 files, loaded
 * before the first answer because config and commands validate with it).
 */
const INLINED_PACKAGES = ['zod'];

/** esbuild plugin: every bare import (packages, node: builtins) stays external except `names`. */
function packagesExcept(names) {
  return {
    name: 'packages-except',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (a) =>
        names.some((n) => a.path === n || a.path.startsWith(`${n}/`)) ? undefined : { path: a.path, external: true },
      );
    },
  };
}

/** The entry of a build: its bundle when it has one. */
export function entryOf(dir) {
  const bundled = join(dir, 'bundle', 'cli.js');
  return existsSync(bundled) ? bundled : join(dir, 'src', 'cli.js');
}

/** Older builds go, except the few newest (a process started just before may still load from one). */
function prune(keep) {
  let dirs;
  try {
    dirs = readdirSync(DIST, { withFileTypes: true }).filter((e) => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name));
  } catch {
    return;
  }
  const byAge = dirs
    .filter((d) => d.name !== keep)
    .map((d) => ({ name: d.name, mtime: statSync(join(DIST, d.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const d of byAge.slice(KEEP_BUILDS - 1)) rmSync(join(DIST, d.name), { recursive: true, force: true });
}

/**
 * The folder of the build compiled from the current sources (compiling it when missing);
 * `entryOf(dir)` is its entry.
 */
export async function ensureBuild({ log = (s) => process.stderr.write(s) } = {}) {
  const files = listSources();
  let newest = 0;
  for (const f of files) newest = Math.max(newest, statSync(f).mtimeMs);
  const list = createHash('sha256').update(files.join('\0')).digest('hex').slice(0, 16);
  const cur = readCurrent();
  if (cur && cur.list === list && newest <= cur.newest && existsSync(join(DIST, cur.hash, 'src', 'cli.js'))) {
    return join(DIST, cur.hash);
  }
  const hash = hashSources(files);
  const dir = await compile(hash, log);
  try {
    const tmp = join(DIST, `current.json.tmp-${process.pid}`);
    writeFileSync(tmp, JSON.stringify({ hash, list, newest }));
    renameSync(tmp, join(DIST, 'current.json'));
    prune(hash);
  } catch {
    // A read-only install (the image runs as a user that does not own dist/) still runs the
    // build it verified by content hash; it only cannot remember the shortcut for next time.
  }
  return dir;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  try {
    const dir = await ensureBuild();
    process.stdout.write(`${relative(ROOT, dir)}\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
