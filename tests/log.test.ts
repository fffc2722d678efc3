/** Structured logging and the process-level guard against stray promise rejections. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type Logger, logStrayRejections } from '../src/log.ts';

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
