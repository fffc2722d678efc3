/**
 * Structured log lines (pino, JSON) on stderr, so stdout stays clean for CLI output and the console
 * chat. One factory, `createLogger`; parts log through `log.child({ part })`.
 *
 * Secrets never reach a line: keys that name credentials are censored by pino's redaction, and —
 * because a token also travels inside URLs and error messages (grammY puts the bot token in the
 * request path) — every finished line is scrubbed of the secret values set in the environment
 * and of anything shaped like a bearer header or a platform token.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type LogFormat = 'json' | 'pretty';

export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
  child(ctx: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** `pretty` for a terminal (needs the pino-pretty dev dependency; JSON otherwise). */
  format?: LogFormat;
  /** Where lines go (tests capture them); default stderr, written synchronously so exit loses none. */
  destination?: DestinationStream;
  /** Values never to print; default: every credential-like variable of the environment. */
  secrets?: string[];
}

export const REDACTED = '[REDACTED]';

/** Variables whose values are credentials (TELEGRAM_BOT_TOKEN, SLACK_SIGNING_SECRET, METRICS_TOKEN …). */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIAL)/i;
/** Shorter values would scrub ordinary words out of lines; real credentials are far longer. */
const MIN_SECRET_LENGTH = 6;

/** The secret values of an environment: credential variables (split on commas) and URL passwords. */
export function secretsFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name)) {
      out.add(value.trim());
      for (const part of value.split(',')) out.add(part.trim());
    }
    if (/_URL$/.test(name) && value.includes('@')) {
      try {
        const u = new URL(value);
        if (u.password) out.add(decodeURIComponent(u.password)).add(u.password);
      } catch {
        // Not a URL after all: nothing to take from it.
      }
    }
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH);
}

/** Shapes that are credentials whoever set them: bearer/basic headers, Slack and Telegram tokens. */
const TOKEN_SHAPES: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\bx(?:ox[abprs]|app)-[A-Za-z0-9-]+/g, REDACTED],
  [/\b\d{5,12}:[A-Za-z0-9_-]{30,}/g, REDACTED],
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function scrubber(secrets: string[]): (line: string) => string {
  // A secret may appear as is or JSON-escaped (a quote or backslash in it); longest first so a
  // secret containing another is replaced whole.
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  const values = forms.length ? new RegExp(forms.map(escapeRe).join('|'), 'g') : undefined;
  return (line) => {
    let out = values ? line.replace(values, REDACTED) : line;
    for (const [re, to] of TOKEN_SHAPES) out = out.replace(re, to);
    return out;
  };
}

/** Keys censored wherever pino's paths reach (values are scrubbed everywhere anyway). */
const REDACT_KEYS = ['token', 'secret', 'password', 'authorization', 'cookie', 'botToken', 'signingSecret', 'appToken', 'apiToken'];
const REDACT_PATHS = [
  ...REDACT_KEYS.flatMap((k) => [k, `*.${k}`]),
  'headers.authorization',
  '*.headers.authorization',
  '*.headers["x-telegram-bot-api-secret-token"]',
  'headers["x-telegram-bot-api-secret-token"]',
];

const MAX_CAUSE_DEPTH = 5;

/** An error as data: name, message, stack, code, and the chain of causes pino's default drops. */
function serialiseError(e: unknown, depth = 0): unknown {
  if (!(e instanceof Error)) return e;
  const out: Record<string, unknown> = { name: e.name, message: e.message, stack: e.stack };
  const extra = e as Error & { code?: unknown; status?: unknown; errors?: unknown };
  if (extra.code !== undefined) out.code = extra.code;
  if (typeof extra.status === 'number') out.status = extra.status;
  if (depth < MAX_CAUSE_DEPTH) {
    if (e.cause !== undefined) out.cause = serialiseError(e.cause, depth + 1);
    if (e instanceof AggregateError && Array.isArray(extra.errors)) out.errors = extra.errors.map((x) => serialiseError(x, depth + 1));
  }
  return out;
}

function prettyStream(): DestinationStream | undefined {
  try {
    // pino-pretty is a dev dependency: a production image (npm ci --omit=dev) logs JSON.
    const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
    return pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}

function wrap(root: PinoLogger, bindings: Record<string, unknown>): Logger {
  // Bindings are merged per line (not pino's child) so a line's own `part` replaces the binding
  // instead of printing the key twice.
  const emit = (lvl: 'debug' | 'info' | 'warn' | 'error') => (msg: string, ctx?: Record<string, unknown>) => {
    if (!root.isLevelEnabled(lvl)) return;
    root[lvl](ctx ? { ...bindings, ...ctx } : bindings, msg);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (c) => wrap(root, { ...bindings, ...c }),
  };
}

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}, opts: LoggerOptions = {}): Logger {
  const scrub = scrubber(opts.secrets ?? secretsFromEnv());
  let destination = opts.destination;
  let fellBack = false;
  if (!destination && opts.format === 'pretty') {
    destination = prettyStream();
    fellBack = !destination;
  }
  const root = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serialiseError, error: serialiseError, cause: serialiseError },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: scrub },
    },
    destination ?? pino.destination({ fd: 2, sync: true }),
  );
  const log = wrap(root, base);
  if (fellBack) log.warn('LOG_FORMAT=pretty needs pino-pretty (a dev dependency); logging JSON');
  return log;
}

/**
 * Log every promise rejection nobody handled, instead of Node's default of ending the process:
 * one stray rejection in a background task (a card edit, a request handler) must not take the
 * whole bot down, and must not pass unnoticed either. Returns the function that removes it.
 */
export function logStrayRejections(log: Logger, proc: Pick<NodeJS.Process, 'on' | 'off'> = process): () => void {
  const onRejection = (reason: unknown) => log.error('unhandled promise rejection', { err: reason });
  proc.on('unhandledRejection', onRejection);
  return () => proc.off('unhandledRejection', onRejection);
}
