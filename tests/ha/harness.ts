/**
 * What the high-availability tests share: the app built through createApp from an environment
 * naming a Cluster or Sentinels (no REDIS_URL override: the connection factory picks the mode),
 * recording Senders, this process's workers, and the chat helpers of the meetings tests.
 */
import { randomUUID } from 'node:crypto';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { Destination, Inbound, UserRef } from '../../src/messages.ts';
import type { ActionResult } from '../../src/command.ts';
import type { Reply } from '../../src/messages.ts';
import { startWorkers } from '../../jobs/worker.ts';
import type { RunningWorkers } from '../../src/process.ts';
import { COORDINATOR, RecordingSender } from '../meetings/harness.ts';

export const ALERT_CHATS: Record<string, string> = {
  文山应急: '-1001',
  上海应急: '-1002',
  应急领导小组: '-1003',
  应急协调中心: '-1004',
  市政府总值班室: '-1005',
};
export const OFFICER: UserRef = { platform: 'telegram', id: '42', name: '赵应急' };

export interface HaApp {
  app: App;
  prefix: string;
  telegram: RecordingSender;
  slack: RecordingSender;
  workers: RunningWorkers;
  /** Messages of failed jobs and Redis errors seen by the workers (a CROSSSLOT would land here). */
  errors: string[];
  say(text: string, user?: UserRef, chat?: Destination): Promise<Reply>;
  press(action: string, value: string, user: UserRef, chat: Destination): Promise<ActionResult>;
  /** Sends that reached `chatId` whose text contains `needle`. */
  sentTo(chatId: string, needle: string): { at: number }[];
  close(): Promise<void>;
}

export async function startHaApp(env: Record<string, string>): Promise<HaApp> {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    REDIS_PREFIX: prefix,
    // Nobody listens here: the mode variables in `env` must define the connection.
    REDIS_URL: 'redis://127.0.0.1:1',
    LOG_LEVEL: 'silent',
    ADMINS: `${COORDINATOR.platform}:${COORDINATOR.id}`,
    ...env,
  });
  const telegram = new RecordingSender('telegram');
  const slack = new RecordingSender('slack');
  const app = await createApp(config, { senders: { telegram, slack }, log: createLogger((process.env.TEST_LOG_LEVEL as 'error' | undefined) ?? 'silent') });
  const workers = await startWorkers(app.services);
  const errors: string[] = [];
  for (const w of workers.workers) {
    w.on('failed', (_job, err) => errors.push(err.message));
    w.on('error', (err) => errors.push(err.message));
  }
  for (const [g, chatId] of Object.entries(ALERT_CHATS)) {
    await app.services.groups.create(g);
    await app.services.groups.add(g, [{ to: { platform: 'telegram', chatId } }]);
  }
  await app.services.roles.grant(`telegram:${OFFICER.id}`, 'emergency');
  const inbound = (text: string, user: UserRef, chat: Destination, press?: { action: string; value: string }): Inbound => ({
    platform: user.platform,
    chat,
    chatType: chat.chatId === user.id ? 'private' : 'group',
    user,
    text,
    receivedAt: new Date(),
    ...(press ? { press: { ...press, messageId: '1' } } : {}),
  });
  return {
    app,
    prefix,
    telegram,
    slack,
    workers,
    errors,
    say: (text, user = COORDINATOR, chat = { platform: 'telegram', chatId: '-9000' }) => app.router.handle(inbound(text, user, chat), app.services),
    press: (action, value, user, chat) => app.router.press(inbound('', user, chat, { action, value }), app.services),
    sentTo: (chatId, needle) =>
      telegram.received.filter((r) => r.to.chatId === chatId && JSON.stringify(r.reply).includes(needle)).map((r) => ({ at: r.at })),
    close: async () => {
      await workers.close();
      await app.close();
    },
  };
}

/** The alert id in the officer's confirmation. */
export function alertIdOf(reply: Reply): string {
  const m = /A-\d{8}-\d{2}/.exec(JSON.stringify(reply));
  if (!m) throw new Error(`no alert id in ${JSON.stringify(reply)}`);
  return m[0];
}
