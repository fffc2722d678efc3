/**
 * Reminder timing: 1,000 meeting reminders due within one 10-second window, each to its own
 * Telegram chat, through the whole pipeline — reminders queue (BullMQ delayed jobs) → Meetings
 * fires → Outbox → delivery queue → Courier → TelegramSender → a local Bot API stand-in.
 * Lateness = arrival at the stand-in minus the reminder's due time; missed = reminders that never
 * arrived (or arrived twice) by the end of the run.
 *
 * Platform limits are lifted (DELIVERY_LIMITS=0): 100 reminders a second is more than one
 * Telegram bot may send (~30/s), and this measures the scheduler, not Telegram's allowance.
 */
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { MemoryCallbackStore } from '../platforms/telegram/callbacks.ts';
import { TelegramSender, createTelegramApi } from '../platforms/telegram/sender.ts';
import { startRedis } from '../store/redis-server.ts';
import { percentile, startBotApiStandIn } from './bot-api-stand-in.ts';
import { startWorkers } from '../../jobs/worker.ts';

const TOKEN = '123:BENCHREMIND';
const COUNT = 1000;
const WINDOW_MS = 10_000;
/** Time allowed for creating the meetings before the first reminder is due. */
const LEAD_MS = 8_000;
/** How long after the window closes a reminder may still arrive before it counts as missed. */
const GRACE_MS = 10_000;

export async function benchReminders(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  const arrivals = new Map<string, number[]>();
  const standIn = await startBotApiStandIn((m) => {
    const list = arrivals.get(m.chat) ?? [];
    list.push(m.wallAt);
    arrivals.set(m.chat, list);
  });
  const { root } = standIn;
  const config = loadConfig({
    ...process.env,
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'bench-reminders',
    LOG_LEVEL: 'silent',
    DELIVERY_LIMITS: '0',
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: root,
  });
  const senders = { telegram: new TelegramSender(createTelegramApi(TOKEN, root), new MemoryCallbackStore()) };
  const app = await createApp(config, { senders, log: createLogger('silent') });
  const { services } = app;
  const workers = await startWorkers(services);
  try {
    // One group of one chat per reminder, so every arrival names its reminder.
    const chats = Array.from({ length: COUNT }, (_, i) => String(-1_000_000 - i));
    for (let i = 0; i < COUNT; i += 100) {
      await Promise.all(
        chats.slice(i, i + 100).map(async (chat, j) => {
          const name = `bench-${i + j}`;
          await services.groups.create(name, {});
          await services.groups.add(name, [{ to: { platform: 'telegram', chatId: chat } }]);
        }),
      );
    }
    const windowStart = Date.now() + LEAD_MS;
    const due = chats.map((_, i) => windowStart + Math.floor((i * WINDOW_MS) / COUNT));
    const dueByChat = new Map(chats.map((c, i) => [c, due[i]!]));
    // Each meeting starts 1 minute after its reminder is due and is reminded 1 minute before.
    for (let i = 0; i < COUNT; i += 50) {
      await Promise.all(
        chats.slice(i, i + 50).map((_, j) =>
          services.meetings.add({
            title: `基准会议 ${i + j}`,
            at: due[i + j]! + 60_000,
            zone: config.TIMEZONE,
            group: `bench-${i + j}`,
            remind: ['1m'],
            createdBy: 'console:bench',
          }),
        ),
      );
    }
    const setupLeft = windowStart - Date.now();
    const end = windowStart + WINDOW_MS + GRACE_MS;
    while (Date.now() < end) {
      if ([...arrivals.values()].reduce((n, l) => n + l.length, 0) >= COUNT && Date.now() > windowStart + WINDOW_MS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const lateness: number[] = [];
    let missed = 0;
    let duplicates = 0;
    for (const chat of chats) {
      const got = arrivals.get(chat) ?? [];
      if (!got.length) missed++;
      else lateness.push(got[0]! - dueByChat.get(chat)!);
      if (got.length > 1) duplicates += got.length - 1;
    }
    lateness.sort((a, b) => a - b);
    return {
      count: COUNT,
      window_ms: WINDOW_MS,
      lateness_p50_ms: percentile(lateness, 50),
      lateness_p99_ms: percentile(lateness, 99),
      lateness_max_ms: lateness.at(-1) ?? null,
      missed,
      duplicates,
      setup_margin_ms: setupLeft,
    };
  } finally {
    await workers.close();
    await app.close();
    await standIn.close();
    await redis.dispose();
  }
}
