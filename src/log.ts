/** Structured log lines (JSON) on stderr, so stdout stays clean for CLI output and the console chat. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
  child(ctx: Record<string, unknown>): Logger;
}

function serialiseError(e: unknown): unknown {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return e;
}

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}): Logger {
  const emit = (lvl: LogLevel, msg: string, ctx?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const rec: Record<string, unknown> = { t: new Date().toISOString(), level: lvl, msg, ...base };
    if (ctx) for (const [k, v] of Object.entries(ctx)) rec[k] = k === 'err' ? serialiseError(v) : v;
    process.stderr.write(JSON.stringify(rec) + '\n');
  };
  return {
    debug: (m, c) => emit('debug', m, c),
    info: (m, c) => emit('info', m, c),
    warn: (m, c) => emit('warn', m, c),
    error: (m, c) => emit('error', m, c),
    child: (c) => createLogger(level, { ...base, ...c }),
  };
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
