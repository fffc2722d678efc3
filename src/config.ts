/**
 * One zod schema over the environment. The process refuses to start when a variable is bad,
 * naming each one; `.env.example` lists them all.
 */
import { z } from 'zod';
import { StartupError } from './errors.ts';
import { msg } from './i18n/index.ts';

const t = msg.startup.config;

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const url = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()))
    .pipe(z.url({ message: t.url }));

const boolFlag = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === '1' || v === 'true' || v === 'yes'));

/** `host:port,…` → [{host, port}], or undefined when empty. */
const hostPorts = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const out: { host: string; port: number }[] = [];
    for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(part);
      const port = m ? Number(m[2]) : 0;
      if (!m || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: t.hostPorts });
        return z.NEVER;
      }
      out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
    }
    return out.length ? out : undefined;
  });

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const envSchema = z.object({
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** `json` (one object a line) or `pretty` for a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** Zone in which times are entered and shown unless a message names one. */
  TIMEZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine(isTimeZone, { message: t.timeZone }),
  REDIS_URL: url('redis://127.0.0.1:6379'),
  /** Without REDIS_URL, `xiezuo start` probes this port and, when nothing answers, runs its own redis-server there. */
  EMBEDDED_REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6379),
  /** Data folder of that redis-server (append-only file); default .xiezuo/redis/ in the project. */
  EMBEDDED_REDIS_DIR: optionalString,
  /**
   * Sentinel mode: `host:port,…` of the sentinels; the master is found by REDIS_SENTINEL_NAME.
   * When this or REDIS_CLUSTER_NODES is set it defines the connection and REDIS_URL is ignored.
   */
  REDIS_SENTINELS: hostPorts,
  REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/).default('mymaster'),
  /** Password of the sentinels themselves (their requirepass), when set. */
  REDIS_SENTINEL_PASSWORD: optionalString,
  /** Cluster mode: `host:port,…` of some cluster nodes (the rest are discovered). */
  REDIS_CLUSTER_NODES: hostPorts,
  /** Password (and user) of the data nodes in Sentinel/Cluster mode; single mode puts them in REDIS_URL. */
  REDIS_PASSWORD: optionalString,
  REDIS_USERNAME: optionalString,
  /** TLS to the data nodes (and the sentinels) in Sentinel/Cluster mode; single mode uses rediss://. */
  REDIS_TLS: boolFlag(false),
  /** Prefix for every Redis key and BullMQ queue of this deployment. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('xiezuo'),
  SEEDS_DIR: optionalString,
  /** Extra plan folders, separated by the platform path delimiter (":" on Linux). */
  PLANS_DIRS: optionalString,
  /** Folder of the knowledge snapshots (parsed corpus + search index); "off": always parse and index. */
  KNOWLEDGE_SNAPSHOT_DIR: optionalString,
  /** Bootstrap admins, e.g. `telegram:12345,slack:U0123`. */
  ADMINS: z
    .string()
    .default('')
    .refine((v) => v.split(',').every((s) => s.trim() === '' || /^(telegram|slack|console):\S+$/.test(s.trim())), {
      message: t.admins,
    }),
  /** Whether anyone may ask questions; when false, asking needs the official role. */
  OPEN_ASK: boolFlag(true),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HTTP_HOST: z.string().default('127.0.0.1'),

  /** `xiezuo worker`: port of its own small HTTP server (/metrics, /healthz); 0 = any free port. */
  WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optionalString,
  /** Turns on the queue dashboard at /admin/queues; the password (basic auth) or bearer token it asks for. */
  ADMIN_UI_TOKEN: optionalString.pipe(z.string().min(12, { message: t.adminUiToken }).optional()),
  /** Let the dashboard retry, clean and remove jobs (read-only otherwise). */
  ADMIN_UI_WRITE: boolFlag(false),

  /** Run the delivery/reminder workers inside `xiezuo start` (set 0 when workers run apart). */
  WORKERS: boolFlag(true),
  /** Parallel sends per platform queue and worker process. */
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(16),
  /** Attempts for retryable failures (5xx, network) before a message is recorded as failed. */
  DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** First retry delay; doubles each attempt. */
  DELIVERY_BACKOFF_MS: z.coerce.number().int().min(1).default(2000),
  /** How long a worker may hold a job before it counts as crashed and another worker takes it. */
  DELIVERY_LOCK_MS: z.coerce.number().int().min(500).default(5000),
  /** Telegram: messages per second per bot (all chats together). */
  DELIVERY_TELEGRAM_PER_S: z.coerce.number().min(0).default(25),
  /** Telegram: live replies (answers to commands) per second per bot, across every bot process; with DELIVERY_TELEGRAM_PER_S at most 30. */
  DELIVERY_TELEGRAM_LIVE_PER_S: z.coerce.number().int().min(0).default(5),
  /** Telegram: messages per chat per DELIVERY_TELEGRAM_CHAT_WINDOW_MS (about 1/s). */
  DELIVERY_TELEGRAM_CHAT_LIMIT: z.coerce.number().int().min(0).default(1),
  DELIVERY_TELEGRAM_CHAT_WINDOW_MS: z.coerce.number().int().min(1).default(1000),
  /** Telegram: messages per group chat per DELIVERY_TELEGRAM_GROUP_WINDOW_MS (20/min). */
  DELIVERY_TELEGRAM_GROUP_LIMIT: z.coerce.number().int().min(0).default(20),
  DELIVERY_TELEGRAM_GROUP_WINDOW_MS: z.coerce.number().int().min(1).default(60000),
  /** Slack: messages per second per app (workspace-wide), and per channel per window (1/s). */
  DELIVERY_SLACK_PER_S: z.coerce.number().min(0).default(20),
  DELIVERY_SLACK_CHANNEL_LIMIT: z.coerce.number().int().min(0).default(1),
  DELIVERY_SLACK_CHANNEL_WINDOW_MS: z.coerce.number().int().min(1).default(1000),
  /** Safety margin added to every per-chat window, so network jitter never packs one more in. */
  DELIVERY_WINDOW_GUARD_MS: z.coerce.number().int().min(0).default(150),
  /** 0 lifts every limit (bench only). */
  DELIVERY_LIMITS: boolFlag(true),
  /** Entries kept in the audit log. */
  AUDIT_MAX: z.coerce.number().int().min(10).default(10000),
  /** Meeting reminders when /meeting add names none, e.g. `1d,1h` (d/h/m/s). */
  MEETING_REMIND_DEFAULT: z
    .string()
    .default('1d,1h')
    .refine((v) => v.split(',').every((s) => /^\s*\d{1,4}[smhd]\s*$/.test(s)), { message: t.meetingRemind }),
  /** Office-deadline reminders when /deadline add names none. */
  DEADLINE_REMIND_DEFAULT: z
    .string()
    .default('7d,1d')
    .refine((v) => v.split(',').every((s) => /^\s*\d{1,4}[smhd]\s*$/.test(s)), { message: t.deadlineRemind }),
  /** Shortest interval a cron-pattern meeting may repeat at, in seconds (guards against `* * * * *`). */
  MEETING_MIN_INTERVAL_S: z.coerce.number().int().min(1).default(3600),
  /** Reminder jobs one worker process fires at once (a burst due in the same second). */
  REMINDER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_ROOT: url('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  /** Webhook mode: the public URL of POST /telegram/webhook; when set, setWebhook is called at start. */
  TELEGRAM_WEBHOOK_URL: optionalString.pipe(z.url({ message: t.webhookUrl }).optional()),
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, { message: t.webhookSecretFormat })
      .optional(),
  ),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: url('https://slack.com/api/'),

  /** Emergency alerts: per-level acknowledgement timeouts overriding seeds/alert-routing.json, e.g. `I=300000,II=900000`. */
  ALERT_TIMEOUTS_MS: z
    .string()
    .default('')
    .refine((v) => v.split(',').every((s) => s.trim() === '' || /^(I|II|III|IV)\s*[=:]\s*\d+$/i.test(s.trim())), {
      message: t.alertTimeouts,
    }),
  /** Multiplies every alert timeout (tests and escalation drills use e.g. 0.001). */
  ALERT_TIMEOUT_SCALE: z.coerce.number().positive().default(1),
  /** Bearer tokens of the alert API, stored hashed: `sha256:<64 hex>`, comma-separated. */
  ALERT_API_TOKENS: z
    .string()
    .default('')
    .refine((v) => v.split(',').every((s) => s.trim() === '' || /^sha256:[0-9a-f]{64}$/i.test(s.trim())), {
      message: t.alertTokens,
    }),
});

export type Config = z.infer<typeof envSchema>;

/** Parse the environment; throws a StartupError that names every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || t.wholeEnv}: ${i.message}`);
    throw new StartupError(t.invalid(lines));
  }
  const c = r.data;
  const problems: string[] = [];
  if (c.TELEGRAM_MODE === 'webhook' && c.TELEGRAM_BOT_TOKEN && !c.TELEGRAM_WEBHOOK_SECRET)
    problems.push(`  ${t.webhookSecretRequired}`);
  if (c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN)
    problems.push(`  ${t.signingSecretRequired}`);
  if (c.REDIS_SENTINELS && c.REDIS_CLUSTER_NODES) problems.push(`  ${t.redisModes}`);
  if (problems.length) throw new StartupError(t.invalid(problems));
  return c;
}
