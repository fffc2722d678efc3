/**
 * The checkout's root directory, whether this code runs from its sources (src/, under tsx in
 * tests and scripts) or compiled (dist/<build>/src/): files beside the code — seeds/, the
 * shared eval set — are found from here, not from the running module's own folder.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return dirname(from);
    dir = up;
  }
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
