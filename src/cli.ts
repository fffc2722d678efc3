/**
 * `xiezuo <subcommand>`: each subcommand lives in src/cli/<name>.ts and is loaded on demand, so
 * `xiezuo ask` does not pay for the platform SDKs it never uses.
 */
import { existsSync } from 'node:fs';
import { StartupError } from './errors.ts';
import { msg } from './i18n/index.ts';

const t = msg.startup.cli;

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> }> = {
  start: { summary: t.summaries.start, load: () => import('./cli/start.ts') },
  ask: { summary: t.summaries.ask, load: () => import('./cli/ask.ts') },
  ingest: { summary: t.summaries.ingest, load: () => import('./cli/ingest.ts') },
  worker: { summary: t.summaries.worker, load: () => import('./cli/worker.ts') },
  seed: { summary: t.summaries.seed, load: () => import('./cli/seed.ts') },
  bench: { summary: t.summaries.bench, load: () => import('./cli/bench.ts') },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([n, s]) => `  xiezuo ${n.padEnd(7)} ${s.summary}`);
  return t.usage(lines);
}

async function main(): Promise<number> {
  // A local .env (see .env.example) fills in what the real environment leaves unset.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [sub, ...rest] = process.argv.slice(2);
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(`${usage()}\n`);
    return sub ? 0 : 2;
  }
  const entry = SUBCOMMANDS[sub];
  if (!entry) {
    process.stderr.write(`${t.unknownSubcommand(sub)}\n${usage()}\n`);
    return 2;
  }
  const mod = await entry.load();
  return mod.main(rest);
}

try {
  const code = await main();
  process.exitCode = code;
} catch (e) {
  if (e instanceof StartupError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
