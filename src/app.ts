/**
 * The composition root: builds the services from the configuration and hands back what a
 * process needs (router, services, a close()). Entry points (start, worker, ask) and tests all
 * build through here, so they run the same parts.
 */
import { fileURLToPath } from 'node:url';
import { delimiter } from 'node:path';
import { EnvAccess, parseAdmins } from './access.ts';
import { type Clock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { Knowledge } from './knowledge/knowledge.ts';
import { createLogger, type Logger } from './log.ts';
import { Router } from './router.ts';
import type { Services } from './services.ts';
import { commands } from '../commands/index.ts';

export const DEFAULT_SEEDS_DIR = fileURLToPath(new URL('../seeds', import.meta.url));

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  /** Extra plan folders for this run (the CLI's --plans). */
  planDirs?: string[];
}

export interface App {
  services: Services;
  router: Router;
  close(): Promise<void>;
}

export async function loadKnowledge(config: Config, planDirs: string[] = []): Promise<Knowledge> {
  const seedsDir = config.SEEDS_DIR ?? DEFAULT_SEEDS_DIR;
  const fromEnv = config.PLANS_DIRS ? config.PLANS_DIRS.split(delimiter).filter(Boolean) : [];
  return Knowledge.load({ seedsDir, planDirs: [...fromEnv, ...planDirs] });
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const knowledge = await loadKnowledge(config, opts.planDirs);
  const services: Services = {
    config,
    clock: opts.clock ?? systemClock,
    log,
    knowledge,
    access: new EnvAccess(parseAdmins(config.ADMINS), config.OPEN_ASK),
  };
  const router = new Router(commands, { defaultCommand: 'ask' });
  return {
    services,
    router,
    close: async () => {},
  };
}
