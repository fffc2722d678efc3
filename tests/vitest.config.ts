import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: files run in parallel, each with its own redis-server.
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: ['tests/ha/**'], sequence: { groupOrder: 0 } } },
      // Cluster and Sentinel set-ups (several redis-servers each, a failover): slow, so after the
      // unit project (groupOrder), one file at a time, generous hook timeouts. `npm test` runs
      // them too; `--project unit` skips them, `--project ha` runs only them.
      {
        extends: true,
        test: { name: 'ha', include: ['tests/ha/**/*.test.ts'], hookTimeout: 120_000, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
