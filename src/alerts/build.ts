/**
 * Builds the alert service from the configuration and the shared parts (called by createApp, so
 * the bot, every worker and the tests run the same wiring). Start-up fails with the file and
 * reason when the routing rules are invalid or name a region the gazetteer does not know.
 */
import type { ConnectionOptions } from 'bullmq';
import type { RedisClient } from '../store/redis.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Outbox } from '../delivery/outbox.ts';
import { StartupError } from '../errors.ts';
import type { Gazetteer } from '../knowledge/gazetteer.ts';
import type { Pairing } from '../knowledge/schema.ts';
import type { Logger } from '../log.ts';
import { reportErrors } from '../store/redis.ts';
import type { Senders } from '../delivery/sender.ts';
import { bullPrefix } from '../../jobs/queues.ts';
import { EscalationQueue } from './escalation.ts';
import { KnowledgeRegionGraph } from './graph.ts';
import { AlertRouting } from './routing.ts';
import { effectiveTimeouts, loadRoutingRules, parseTimeoutOverrides, ROUTING_FILE } from './rules.ts';
import { AlertService, type GroupDirectory } from './service.ts';
import { AlertStore } from './store.ts';

export interface AlertParts {
  config: Config;
  seedsDir: string;
  redis: RedisClient;
  bullConnection: ConnectionOptions;
  clock: Clock;
  log: Logger;
  groups: GroupDirectory;
  outbox: Outbox;
  senders: Senders;
  gazetteer: Gazetteer;
  pairings: readonly Pick<Pairing, 'from' | 'to' | 'status'>[];
}

export interface Alerts {
  service: AlertService;
  close(): Promise<void>;
}

export async function buildAlerts(p: AlertParts): Promise<Alerts> {
  const rules = await loadRoutingRules(p.seedsDir);
  for (const r of [rules.home, ...rules.regions.map((x) => x.region)])
    if (!p.gazetteer.has(r)) throw new StartupError(`${ROUTING_FILE}: region "${r}" is not in seeds/regions.json`);
  const routing = new AlertRouting(rules, new KnowledgeRegionGraph(p.gazetteer, p.pairings));
  const escalations = new EscalationQueue(p.bullConnection, bullPrefix(p.config), (q) => reportErrors(q, p.log, 'queue escalations'));
  const service = new AlertService({
    store: new AlertStore(p.redis, p.config.REDIS_PREFIX),
    routing,
    groups: p.groups,
    outbox: p.outbox,
    escalations,
    clock: p.clock,
    log: p.log,
    timeZone: p.config.TIMEZONE,
    timeouts: effectiveTimeouts(rules, parseTimeoutOverrides(p.config.ALERT_TIMEOUTS_MS), p.config.ALERT_TIMEOUT_SCALE),
    edit: async (to, messageId, reply) => {
      const sender = p.senders[to.platform];
      if (sender) await sender.edit(to, messageId, reply);
    },
  });
  p.outbox.listen('alert', service);
  // What the service is still doing may schedule an escalation step: it finishes before the queue closes.
  const close = async () => {
    await service.idle();
    await escalations.close();
  };
  return { service, close };
}
