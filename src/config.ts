/**
 * One zod schema over the environment. The process refuses to start when a variable is bad,
 * naming each one; `.env.example` lists them all.
 */
import { z } from 'zod';
import { StartupError } from './errors.ts';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const url = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()))
    .pipe(z.url({ message: '必须是 URL，例如 http://127.0.0.1:8081' }));

const boolFlag = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === '1' || v === 'true' || v === 'yes'));

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const envSchema = z.object({
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Zone in which times are entered and shown unless a message names one. */
  TIMEZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine(isTimeZone, { message: '不是有效的 IANA 时区名（例如 Asia/Shanghai）' }),
  REDIS_URL: url('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key and BullMQ queue of this deployment. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('xiezuo'),
  SEEDS_DIR: optionalString,
  /** Extra plan folders, separated by the platform path delimiter (":" on Linux). */
  PLANS_DIRS: optionalString,
  /** Bootstrap admins, e.g. `telegram:12345,slack:U0123`. */
  ADMINS: z
    .string()
    .default('')
    .refine((v) => v.split(',').every((s) => s.trim() === '' || /^(telegram|slack|console):\S+$/.test(s.trim())), {
      message: '格式应为 平台:用户ID，用逗号分隔，例如 telegram:12345,slack:U0123',
    }),
  /** Whether anyone may ask questions; when false, asking needs the official role. */
  OPEN_ASK: boolFlag(true),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HTTP_HOST: z.string().default('127.0.0.1'),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_ROOT: url('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, { message: '只能包含 A-Z a-z 0-9 _ -，最长 256 个字符（Telegram 的要求）' })
      .optional(),
  ),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: url('https://slack.com/api/'),
});

export type Config = z.infer<typeof envSchema>;

/** Parse the environment; throws a StartupError that names every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(环境)'}: ${i.message}`);
    throw new StartupError(`配置有误，无法启动：\n${lines.join('\n')}`);
  }
  const c = r.data;
  const problems: string[] = [];
  if (c.TELEGRAM_MODE === 'webhook' && c.TELEGRAM_BOT_TOKEN && !c.TELEGRAM_WEBHOOK_SECRET)
    problems.push('  TELEGRAM_WEBHOOK_SECRET: webhook 模式必须设置，用于校验 Telegram 的请求');
  if (c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN)
    problems.push('  SLACK_SIGNING_SECRET: HTTP 模式必须设置（或设置 SLACK_APP_TOKEN 使用 Socket Mode）');
  if (problems.length) throw new StartupError(`配置有误，无法启动：\n${problems.join('\n')}`);
  return c;
}
