#!/usr/bin/env node
// The published entry point stays plain JavaScript: it runs the build compiled from the current
// sources (compiling it first when the sources changed since the last build, see build.mjs), so
// no TypeScript is compiled at run time and a stale build is never run.
import { pathToFileURL } from 'node:url';
import { ensureBuild, entryOf } from './build.mjs';

let dir;
try {
  dir = await ensureBuild();
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
await import(pathToFileURL(entryOf(dir)).href);
