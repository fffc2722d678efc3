/**
 * What the meetings tests share: a private redis-server, the app built through createApp with
 * recording Senders (the Sender contract's local stand-in: it keeps what reached it and when),
 * the workers of this process, and helpers to type commands and press buttons as a user.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createApp, type App } from '../../src/app.ts';
import type { Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import type { ActionResult } from '../../src/command.ts';
import type { Destination, Inbound, Platform, Reply, UserRef } from '../../src/messages.ts';
import type { Sender, Senders, SentMessage } from '../../src/delivery/sender.ts';
import { startWorkers } from '../../jobs/worker.ts';
import type { RunningWorkers } from '../../src/process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { type SlackBot, startSlackBot } from '../support/slack-bot.ts';

export interface Received {
  to: Destination;
  reply: Reply;
  at: number;
}

/** A Sender that records each message with the wall time it arrived. */
export class RecordingSender implements Sender {
  readonly received: Received[] = [];
  private n = 0;
  constructor(readonly platform: Platform) {}
  async send(to: Destination, reply: Reply): Promise<SentMessage> {
    this.received.push({ to, reply, at: Date.now() });
    return { messageId: String(++this.n) };
  }
  async edit(): Promise<void> {}
}

export const COORDINATOR: UserRef = { platform: 'telegram', id: '1001', name: '王协调' };
export const OFFICIAL: UserRef = { platform: 'telegram', id: '2002', name: '李干部' };

function testEnv(redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMINS: `${COORDINATOR.platform}:${COORDINATOR.id}`,
    // Limits are the delivery tests' business; reminders to a handful of chats never hit them.
    DELIVERY_LIMITS: '0',
    ...extra,
  };
}

export interface Harness {
  redis: RedisServer;
  env: Record<string, string>;
  app: App;
  telegram: RecordingSender;
  slack: RecordingSender;
  workers?: RunningWorkers;
  /** Type a command as `user` in `chat`. */
  say(text: string, user?: UserRef, chat?: Destination): Promise<Reply>;
  /** Press a button as `user`. */
  press(action: string, value: string, user?: UserRef): Promise<ActionResult>;
  /** Everything received so far, both platforms, in arrival order. */
  received(): Received[];
  close(): Promise<void>;
}

const ADMIN_CHAT: Destination = { platform: 'telegram', chatId: '-9000' };

export interface HarnessOptions {
  appendonly?: boolean;
  workers?: boolean;
  clock?: Clock;
  env?: Record<string, string>;
  /** Replace the recording Senders (e.g. a TelegramSender against the stand-in). */
  senders?: Senders;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const redis = await startRedis({ appendonly: opts.appendonly ?? false });
  const env = testEnv(redis.url, opts.env);
  const telegram = new RecordingSender('telegram');
  const slack = new RecordingSender('slack');
  const app = await createApp(loadConfig(env), { senders: opts.senders ?? { telegram, slack }, ...(opts.clock ? { clock: opts.clock } : {}) });
  const workers = opts.workers === false ? undefined : await startWorkers(app.services);
  const inbound = (text: string, user: UserRef, chat: Destination): Inbound => ({
    platform: user.platform,
    chat,
    chatType: 'group',
    user,
    text,
    receivedAt: new Date(),
  });
  const h: Harness = {
    redis,
    env,
    app,
    telegram,
    slack,
    say: (text, user = COORDINATOR, chat = ADMIN_CHAT) => app.router.handle(inbound(text, user, chat), app.services),
    press: (action, value, user = OFFICIAL) =>
      app.router.press({ ...inbound('', user, ADMIN_CHAT), press: { action, value } }, app.services),
    received: () => [...telegram.received, ...slack.received].sort((a, b) => a.at - b.at),
    close: async () => {
      await h.workers?.close();
      await app.close();
      await redis.dispose();
    },
  };
  if (workers) h.workers = workers;
  return h;
}

/**
 * A harness for the whole file: started (with these groups) before its tests, closed after. The
 * object is filled in by beforeAll, so tests use it as they would the result of startHarness.
 */
export function useHarness(opts: HarnessOptions & { groups?: Record<string, Destination[]> } = {}): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await startHarness(opts));
    for (const [name, destinations] of Object.entries(opts.groups ?? {})) await makeGroup(h, name, destinations);
  });
  afterAll(async () => {
    await h.close?.();
  });
  return h;
}

/** What the Slack tests sign their requests with. */
export const SLACK_SECRET = 'slack-signing-secret';

export interface SlackHarness {
  h: Harness;
  /** The Web API stand-in. */
  slack: FakeSlack;
  /** Real Bolt (HTTP mode) in front of the app; tests post signed requests to `bot.url`. */
  bot: SlackBot;
}

/**
 * useHarness behind real Bolt: the Slack stand-in, the app, and a SlackAdapter whose Sender the
 * workers deliver with (they were handed the senders object, filled in once the adapter runs).
 * Filled in by beforeAll and closed by afterAll, like useHarness.
 */
export function useSlackHarness(opts: Omit<HarnessOptions, 'senders'> = {}): SlackHarness {
  const s = { h: {}, slack: {}, bot: {} } as SlackHarness;
  beforeAll(async () => {
    Object.assign(s.slack, await startFakeSlack());
    const senders: Senders = {};
    Object.assign(s.h, await startHarness({ ...opts, senders }));
    Object.assign(s.bot, await startSlackBot({ slack: s.slack, router: s.h.app.router, services: s.h.app.services, signingSecret: SLACK_SECRET }));
    senders.slack = s.bot.adapter.sender;
  });
  afterAll(async () => {
    await s.bot.close?.();
    await s.h.close?.();
    await s.slack.close?.();
  });
  return s;
}

/** Each command is refused with a reply that contains `want` and ends with the usage line. */
export async function expectRefused(h: Harness, cases: readonly [string, string][], usage: RegExp): Promise<void> {
  for (const [cmd, want] of cases) {
    const r = await h.say(cmd);
    expect(r.tone, cmd).toBe('error');
    expect(r.blocks[0]!.text, cmd).toContain(want);
    expect(r.footer, cmd).toMatch(usage);
  }
}

/** Create a group with these destinations (through the groups service, as /group would). */
export async function makeGroup(h: Harness, name: string, destinations: Destination[]): Promise<void> {
  await h.app.services.groups.create(name, { createdBy: 'telegram:1001' });
  await h.app.services.groups.add(
    name,
    destinations.map((to) => ({ to })),
  );
}

/** Wait until `cond` holds, polling every 50 ms; fails after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Let time pass (defined in tests/support, shared beyond the meetings tests). */
export { sleep } from '../support/sleep.ts';

/** Wall time of an instant in Asia/Shanghai with seconds, as a user would type it. */
export function shanghai(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function text(reply: Reply): string {
  return [reply.title ?? '', ...reply.blocks.map((b) => `${b.heading ?? ''} ${b.text}`), reply.footer ?? ''].join('\n');
}

/** A start time `ms` ahead, on a whole second (times are typed to the second). */
export function ahead(ms: number): number {
  return Math.ceil((Date.now() + ms) / 1000) * 1000;
}

/** The meeting (M…) or deadline (D…) id a reply names: in its footer, else its first block. */
export function idOf(reply: Pick<Reply, 'footer' | 'blocks'>): string {
  const m = /[MD]\d+/.exec(`${reply.footer ?? ''} ${reply.blocks[0]?.text ?? ''}`);
  if (!m) throw new Error(`no meeting or deadline id in ${JSON.stringify(reply)}`);
  return m[0];
}

/** Type a command that must be accepted (a notice): its reply, and the id of what it made. */
export async function accepted(h: Harness, command: string): Promise<{ reply: Reply; id: string }> {
  const reply = await h.say(command);
  expect(reply.tone, text(reply)).toBe('notice');
  return { reply, id: idOf(reply) };
}
