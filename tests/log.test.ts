/** Structured logging and the process-level guard against stray promise rejections. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, secretsFromEnv, type Logger, logStrayRejections } from '../src/log.ts';

function recordingLogger(lines: { msg: string; ctx?: Record<string, unknown> }[]): Logger {
  const push = (m: string, c?: Record<string, unknown>) => void lines.push(c ? { msg: m, ctx: c } : { msg: m });
  const log: Logger = { debug: push, info: push, warn: push, error: push, child: () => log };
  return log;
}

describe('logStrayRejections', () => {
  it('logs an unhandled rejection with its reason instead of letting it end the process, and can be removed', () => {
    const proc = new EventEmitter();
    const lines: { msg: string; ctx?: Record<string, unknown> }[] = [];
    const remove = logStrayRejections(recordingLogger(lines), proc as unknown as NodeJS.Process);
    // With a listener present Node does not apply its default (throw → exit) for this event.
    expect(proc.listenerCount('unhandledRejection')).toBe(1);
    const reason = new URIError('URI malformed');
    proc.emit('unhandledRejection', reason, Promise.resolve());
    expect(lines).toEqual([{ msg: 'unhandled promise rejection', ctx: { err: reason } }]);
    remove();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
  });
});

describe('createLogger (pino)', () => {
  function capture(opts: { secrets?: string[]; level?: 'debug' | 'info' } = {}) {
    const lines: string[] = [];
    const destination = { write: (s: string) => void lines.push(s) };
    const log = createLogger(opts.level ?? 'info', { app: 't' }, { destination, secrets: opts.secrets ?? [] });
    return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
  }

  it('writes one JSON line with level, time, msg, the child part, and honours the level', () => {
    const { log, records } = capture();
    log.child({ part: 'delivery' }).info('sent', { platform: 'telegram' });
    log.debug('not shown');
    const [r, ...rest] = records();
    expect(rest).toHaveLength(0);
    expect(r).toMatchObject({ level: 'info', msg: 'sent', part: 'delivery', app: 't', platform: 'telegram' });
    expect(new Date(r!.time).toISOString()).toBe(r!.time);
  });

  it("lets a line's own key replace a child binding instead of printing it twice", () => {
    const { log, lines } = capture();
    log.child({ part: 'start' }).warn('stop failed', { part: 'http' });
    expect(lines[0]!.match(/"part"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!).part).toBe('http');
  });

  it('serialises an error with name, message, stack, code and its chain of causes', () => {
    const { log, records } = capture();
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const err = new Error('broadcast enqueue failed', { cause: root });
    log.error('failed', { err });
    const e = records()[0]!.err;
    expect(e).toMatchObject({ name: 'Error', message: 'broadcast enqueue failed' });
    expect(e.stack).toContain('broadcast enqueue failed');
    expect(e.cause).toMatchObject({ name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED' });
    expect(e.cause.stack).toContain('ECONNREFUSED');
  });

  it('redacts secret values wherever they appear, credential keys, bearer headers and token shapes', () => {
    const botToken = '7012345678:AAH-test-only-token-0123456789abcdefXYZ';
    const { log, lines } = capture({ secrets: secretsFromEnv({ TELEGRAM_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: 'sig"ning\\secret', HTTP_PORT: '8080', REDIS_URL: 'redis://:hunter2pass@redis:6379' }) });
    log.error('request failed', { err: new Error(`GET https://api.telegram.org/bot${botToken}/getMe failed`), url: `/bot${botToken}/sendMessage` });
    log.info('slack', { detail: 'sig"ning\\secret', headers: { authorization: 'Bearer abcdefgh12345678' }, token: 'short' });
    log.info('header echoed', { raw: 'authorization: Bearer 0123456789abcdef', slack: 'xoxb-1111-2222-abcdef', redis: 'redis://:hunter2pass@redis:6379' });
    log.info('other telegram token', { t: '999999:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef012' });
    const all = lines.join('');
    for (const s of [botToken, 'sig"ning', 'ning\\\\secret', 'abcdefgh12345678', '0123456789abcdef', 'xoxb-1111', 'hunter2pass', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '"short"'])
      expect(all).not.toContain(s);
    expect(all).toContain(REDACTED);
    // Every line stays valid JSON after scrubbing.
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  });
});
