/**
 * Shared parts for the alert tests: the real seeds (gazetteer, pairings, routing rules), a
 * private redis-server, real Groups and a real BullMQ escalation queue and worker. The Outbox is
 * a recording one — delivery itself is tested by the delivery tests and by telegram.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createBullConnection, createRedis, type RedisClient } from '../../src/store/redis.ts';
import { bullPrefix } from '../../jobs/queues.ts';
import type { Worker } from 'bullmq';
import { ManualClock } from '../../src/clock.ts';
import type { DeliveryListener, EnqueueOptions, OriginKind, Outbox, OutgoingMessage } from '../../src/delivery/outbox.ts';
import { Gazetteer } from '../../src/knowledge/gazetteer.ts';
import { currentPairings } from '../../src/knowledge/pairings.ts';
import { pairingSchema, parseSeedArray, regionSchema } from '../../src/knowledge/schema.ts';
import { createLogger } from '../../src/log.ts';
import { Groups } from '../../src/groups/groups.ts';
import { EscalationQueue } from '../../src/alerts/escalation.ts';
import { KnowledgeRegionGraph } from '../../src/alerts/graph.ts';
import { AlertRouting } from '../../src/alerts/routing.ts';
import { effectiveTimeouts, parseRoutingRules } from '../../src/alerts/rules.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { AlertStore } from '../../src/alerts/store.ts';
import { startEscalationWorker } from '../../jobs/escalate.ts';
import { loadConfig } from '../../src/config.ts';
import type { Level } from '../../src/alerts/levels.ts';
import type { Destination, Inbound, Reply } from '../../src/messages.ts';
import { AuditLog } from '../../src/roles/audit.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

const seeds = fileURLToPath(new URL('../../seeds/', import.meta.url));

export function seedGraph(): KnowledgeRegionGraph {
  const regions = parseSeedArray(regionSchema, JSON.parse(readFileSync(`${seeds}regions.json`, 'utf8')), 'regions.json');
  const pairings = parseSeedArray(pairingSchema, JSON.parse(readFileSync(`${seeds}pairings.json`, 'utf8')), 'pairings.json');
  const g = new Gazetteer(regions);
  // As src/app.ts does: routing reads the relationships as they stand today (阿克苏 → 喀什 moved).
  return new KnowledgeRegionGraph(g, currentPairings(pairings, g));
}

export function seedRouting(): AlertRouting {
  return new AlertRouting(parseRoutingRules(readFileSync(`${seeds}alert-routing.json`, 'utf8')), seedGraph());
}

class RecordingOutbox implements Outbox {
  readonly sent: { message: OutgoingMessage; opts: EnqueueOptions }[] = [];
  private listeners = new Map<OriginKind, DeliveryListener>();
  private seen = new Set<string>();
  async enqueue(messages: OutgoingMessage[], opts: EnqueueOptions = {}): Promise<void> {
    for (const m of messages) {
      if (this.seen.has(m.id)) continue;
      this.seen.add(m.id);
      this.sent.push({ message: m, opts });
    }
  }
  listen(kind: OriginKind, listener: DeliveryListener): void {
    this.listeners.set(kind, listener);
  }
  /** Report every recorded message as delivered, with message id = its index. */
  async deliverAll(at: number): Promise<void> {
    for (const [i, s] of this.sent.entries())
      await this.listeners.get(s.message.origin.kind)?.onOutcome(s.message, { status: 'delivered', messageId: String(i + 1), at });
  }
  /** Chats (destination keys) that received a message whose id contains `phase`. */
  chats(phase?: string): string[] {
    return this.sent
      .filter((s) => phase === undefined || s.message.id.split(':')[1] === phase)
      .map((s) => `${s.message.to.platform}:${s.message.to.chatId}`);
  }
}

/** Every emergency group of the rules gets one Telegram chat: chat id = -(index+1). */
export async function seedGroups(groups: Groups, routing: AlertRouting): Promise<Record<string, string>> {
  const chats: Record<string, string> = {};
  let n = 1;
  for (const g of routing.allGroups()) {
    await groups.create(g);
    const chatId = String(-1000 - n++);
    await groups.add(g, [{ to: { platform: 'telegram', chatId } }]);
    chats[g] = `telegram:${chatId}`;
  }
  return chats;
}

export interface Harness {
  redis: RedisClient;
  /** The key prefix of this harness alone. */
  prefix: string;
  service: AlertService;
  store: AlertStore;
  outbox: RecordingOutbox;
  escalations: EscalationQueue;
  clock: ManualClock;
  audit: AuditLog;
  chats: Record<string, string>;
  routing: AlertRouting;
  /** Every card edit the service made (refreshCards), in order. */
  edits: { to: Destination; messageId: string; reply: Reply }[];
  startWorker(): Worker;
  close(): Promise<void>;
}

export async function harness(url: string, prefix: string, timeouts?: Partial<Record<Level, number>>): Promise<Harness> {
  const redis = createRedis(url);
  const bull = createBullConnection(url);
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 6, 0, 0));
  const log = createLogger('silent');
  const routing = seedRouting();
  const groups = new Groups(redis, prefix, clock);
  const chats = await seedGroups(groups, routing);
  const outbox = new RecordingOutbox();
  const escalations = new EscalationQueue(bull, bullPrefix({ REDIS_PREFIX: prefix }));
  const store = new AlertStore(redis, prefix);
  const edits: Harness['edits'] = [];
  const service = new AlertService({
    store,
    routing,
    groups,
    outbox,
    escalations,
    clock,
    log,
    timeZone: 'Asia/Shanghai',
    timeouts: { ...effectiveTimeouts(routing.rules), ...timeouts },
    edit: async (to, messageId, reply) => {
      edits.push({ to, messageId, reply });
    },
  });
  outbox.listen('alert', service);
  const config = loadConfig({ REDIS_URL: url, REDIS_PREFIX: prefix });
  const workers: Worker[] = [];
  return {
    redis,
    prefix,
    service,
    store,
    outbox,
    escalations,
    clock,
    audit: new AuditLog({ redis, prefix, clock, max: 100 }),
    chats,
    routing,
    edits,
    startWorker: () => {
      const w = startEscalationWorker({ alerts: service, log, config }, bull);
      workers.push(w);
      return w;
    },
    close: async () => {
      await service.idle();
      await Promise.all(workers.map((w) => w.close()));
      await escalations.close();
      await redis.quit();
      await bull.quit();
    },
  };
}

/**
 * What each alert test file sets up: a private redis-server for the file and, before each test,
 * a fresh harness on a key prefix of its own, closed after the test. The object returned is that
 * harness, filled in again before each test; `restart` swaps it for one with other timeouts.
 */
export function useAlertHarness(timeouts?: Partial<Record<Level, number>>): Harness & { restart(timeouts: Partial<Record<Level, number>>): Promise<void> } {
  let server: RedisServer | undefined;
  const fresh = (t?: Partial<Record<Level, number>>) => harness(server!.url, `t${randomUUID().slice(0, 8)}`, t);
  const h = {
    restart: async (t: Partial<Record<Level, number>>) => {
      await h.close();
      Object.assign(h, await fresh(t));
    },
  } as Harness & { restart(timeouts: Partial<Record<Level, number>>): Promise<void> };
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.dispose();
  });
  beforeEach(async () => {
    Object.assign(h, await fresh(timeouts));
  });
  afterEach(async () => {
    await h.close?.();
  });
  return h;
}

/** Wait until `check` holds, polling every 20 ms, up to `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached in time');
}

/** A Telegram message (or button press) from user `user` in chat `chatId` (private when the ids match). */
export function telegramInbound(
  text: string,
  user: string,
  chatId: string,
  opts: { press?: { action: string; value: string; messageId?: string }; at?: number } = {},
): Inbound {
  return {
    platform: 'telegram',
    chat: { platform: 'telegram', chatId },
    chatType: chatId === user ? 'private' : 'group',
    user: { platform: 'telegram', id: user, name: `用户${user}` },
    text,
    ...(opts.press ? { press: opts.press } : {}),
    receivedAt: new Date(opts.at ?? Date.now()),
  };
}
