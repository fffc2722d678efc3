/**
 * `xiezuo seed`: load the example data of seeds/ into Redis (channel groups; other parts add
 * their seeders below). Idempotent: what exists is kept.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SEEDS_DIR, createApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { loadGroupSeeds, seedGroups } from '../groups/seed.ts';
import { msg } from '../i18n/index.ts';

type Seeder = { name: string; run: (app: App, seedsDir: string) => Promise<string> };

async function regionIds(seedsDir: string): Promise<Set<string>> {
  const list = JSON.parse(await readFile(join(seedsDir, 'regions.json'), 'utf8')) as Array<{ id: string }>;
  return new Set(list.map((r) => r.id));
}

// One line per seeder.
const SEEDERS: Seeder[] = [
  {
    name: 'groups',
    run: async (app, dir) => {
      const seeds = await loadGroupSeeds(join(dir, 'groups.json'), await regionIds(dir));
      const r = await seedGroups(app.services.groups, seeds);
      return msg.groups.seeded(r.created.length, r.kept.length);
    },
  },
];

export async function main(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const app = await createApp(config, { log: createLogger(config.LOG_LEVEL, {}, { format: config.LOG_FORMAT }) });
  const dir = config.SEEDS_DIR ?? DEFAULT_SEEDS_DIR;
  try {
    for (const s of SEEDERS) process.stdout.write(`${await s.run(app, dir)}\n`);
  } finally {
    await app.close();
  }
  return 0;
}
