/**
 * The composition root: builds the services from the configuration and hands back what a
 * process needs (router, services, a close()). Entry points (start, worker, ask) and tests all
 * build through here, so they run the same parts.
 */
import { parseAdmins } from './roles/access.ts';
import { type Clock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { Knowledge } from './knowledge/knowledge.ts';
import { loadKnowledgeCached } from './knowledge/snapshot.ts';
import { DEFAULT_SEEDS_DIR, knowledgeSources } from './knowledge/sources.ts';
import { createLogger, type Logger } from './log.ts';
import { Router } from './router.ts';
import type { Services } from './services.ts';
import { closeConnection, createBullConnection, createRedis, redisTarget, reportErrors } from './store/redis.ts';
import { RoleStore } from './roles/store.ts';
import { AuditLog } from './roles/audit.ts';
import { Groups } from './groups/groups.ts';
import { BullOutbox } from './delivery/bull-outbox.ts';
import { SentMarkers } from './delivery/sent-markers.ts';
import { RateLimits } from './delivery/limits.ts';
import { Broadcasts } from './broadcasts/broadcasts.ts';
import { buildScheduling } from './scheduling/build.ts';
import type { Senders } from './delivery/sender.ts';
import type { Platform } from './messages.ts';
import { buildAlerts } from './alerts/build.ts';
import { Pictures } from './pictures/pictures.ts';
import { commands } from '../commands/index.ts';

export { DEFAULT_SEEDS_DIR };

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  /** Extra plan folders for this run (the CLI's --plans). */
  planDirs?: string[];
  /** Platform senders (tests pass stand-in-backed ones); default none — entry points pass theirs. */
  senders?: Senders;
  /** Override REDIS_URL / REDIS_PREFIX (tests point at their private redis-server). */
  redisUrl?: string;
  redisPrefix?: string;
}

export interface App {
  services: Services;
  router: Router;
  close(): Promise<void>;
}

/** The knowledge base of seeds/ and the plan folders, from its snapshot when that is current. */
export async function loadKnowledge(config: Config, planDirs: string[] = [], log?: Logger): Promise<Knowledge> {
  const onDamaged = log && ((reason: string) => log.warn('knowledge snapshot damaged', { reason }));
  return (await loadKnowledgeCached({ ...knowledgeSources(config, planDirs), ...(onDamaged ? { onDamaged } : {}) })).knowledge;
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  config = {
    ...config,
    REDIS_URL: opts.redisUrl ?? config.REDIS_URL,
    // A private server named by the caller replaces whatever mode the environment chose.
    ...(opts.redisUrl ? { REDIS_SENTINELS: undefined, REDIS_CLUSTER_NODES: undefined } : {}),
    REDIS_PREFIX: opts.redisPrefix ?? config.REDIS_PREFIX,
  };
  const log = opts.log ?? createLogger(config.LOG_LEVEL, {}, { format: config.LOG_FORMAT });
  const knowledge = await loadKnowledge(config, opts.planDirs, log);
  const clock = opts.clock ?? systemClock;
  const prefix = config.REDIS_PREFIX;
  // Auto-pipelining batches the commands of concurrent jobs into one write per tick.
  const target = redisTarget(config);
  const redis = createRedis(target, { enableAutoPipelining: true });
  reportErrors(redis, log, 'redis');
  // The queues' producer connection: an enqueue while Redis is unreachable fails at once.
  const bullConnection = createBullConnection(target, 'producer');
  reportErrors(bullConnection, log, 'queues');
  const senders = opts.senders ?? {};
  const roles = new RoleStore({ redis, prefix, admins: parseAdmins(config.ADMINS), openAsk: config.OPEN_ASK });
  const outbox = new BullOutbox({ connection: bullConnection, config, log: log.child({ part: 'outbox' }), now: () => clock.now() });
  const groups = new Groups(redis, prefix, clock, () => Object.keys(senders) as Platform[]);
  // What every wing is built from; each adds its own parts.
  const base = { config, seedsDir: config.SEEDS_DIR ?? DEFAULT_SEEDS_DIR, redis, bullConnection, clock, groups, outbox };
  const alerts = await buildAlerts({
    ...base,
    log: log.child({ part: 'alerts' }),
    senders,
    gazetteer: knowledge.gazetteer,
    pairings: knowledge.pairings.current(),
  });
  const scheduling = await buildScheduling({ ...base, log, knowledge });
  const pictures = new Pictures({ log: log.child({ part: 'pictures' }) });
  const services: Services = {
    config,
    clock,
    log,
    knowledge,
    pictures,
    access: roles,
    redis,
    roles,
    audit: new AuditLog({ redis, prefix, clock, max: config.AUDIT_MAX }),
    groups,
    outbox,
    sentMarkers: new SentMarkers(redis, prefix),
    rateLimits: new RateLimits(redis, prefix, config),
    senders,
    broadcasts: new Broadcasts({ redis, prefix, outbox, senders, clock, log: log.child({ part: 'broadcasts' }), zone: config.TIMEZONE }),
    alerts: alerts.service,
    meetings: scheduling.meetings,
    officeDeadlines: scheduling.officeDeadlines,
  };
  const router = new Router(commands, { defaultCommand: 'ask' });
  return {
    services,
    router,
    close: async () => {
      await alerts.close();
      await scheduling.close();
      await outbox.close();
      await pictures.close();
      await Promise.all([redis, bullConnection].map(closeConnection));
    },
  };
}
