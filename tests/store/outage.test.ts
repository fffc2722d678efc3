/**
 * Redis going away under a running app (a real redis-server, stopped and started again): a
 * command that needs storage answers "storage unavailable" in Chinese instead of an error id,
 * questions keep working, the same command works again once Redis is back; the clients' error
 * events are logged once per outage, not once per retry; and a stop that waits on the missing
 * server still ends at its deadline.
 */
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg } from '../../src/i18n/index.ts';
import type { Logger } from '../../src/log.ts';
import { closeWithin } from '../../src/cli/shutdown.ts';
import { isRedisUnavailable, reportErrors } from '../../src/store/redis.ts';
import { COORDINATOR, type Harness, startHarness, text, until } from '../meetings/harness.ts';

function recordingLog(): Logger & { lines: { level: string; msg: string; ctx?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; ctx?: Record<string, unknown> }[] = [];
  const log = {
    lines,
    debug: (m: string, c?: Record<string, unknown>) => void lines.push({ level: 'debug', msg: m, ctx: c }),
    info: (m: string, c?: Record<string, unknown>) => void lines.push({ level: 'info', msg: m, ctx: c }),
    warn: (m: string, c?: Record<string, unknown>) => void lines.push({ level: 'warn', msg: m, ctx: c }),
    error: (m: string, c?: Record<string, unknown>) => void lines.push({ level: 'error', msg: m, ctx: c }),
    child: () => log,
  };
  return log;
}

describe('a command while Redis is down', () => {
  let h: Harness;
  beforeAll(async () => {
    // Append-only file on, so what was stored before the outage is there after it.
    h = await startHarness({ workers: false, appendonly: true });
    await h.app.services.roles.grant(`telegram:${COORDINATOR.id}`, 'coordinator');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers storage unavailable, keeps answering questions, and recovers when Redis is back', async () => {
    expect(text(await h.say('/group create 沪滇协作'))).toContain('沪滇协作');
    await h.redis.stop();

    const down = await h.say('/group list');
    expect(text(down)).toContain(msg.common.storeUnavailable);
    expect(text(down)).not.toMatch(/错误编号|E[0-9A-Z]{9}/);
    expect(text(await h.say('/pair 大连'))).toContain('上海');

    await h.redis.restart();
    await until(async () => text(await h.say('/group list')).includes('沪滇协作'), 15_000, 'the group list after Redis came back');
  });
});

describe('reportErrors', () => {
  it('logs the first error of an outage and counts the rest, per part', () => {
    const log = recordingLog();
    const worker = new EventEmitter();
    const connection = new EventEmitter();
    reportErrors(worker, log, 'delivery worker test-a');
    reportErrors(connection, log, 'delivery worker test-a');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 5; i++) {
      worker.emit('error', refused);
      connection.emit('error', refused);
    }
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 'warn', msg: 'redis unavailable', ctx: { part: 'delivery worker test-a', suppressed: 0 } });

    const other = new EventEmitter();
    reportErrors(other, log, 'delivery worker test-b', 0);
    other.emit('error', new Error('ERR unknown command'));
    other.emit('error', new Error('ERR unknown command'));
    expect(log.lines.slice(1).map((l) => l.level)).toEqual(['error', 'error']);
  });

  it('tells an unreachable server from other errors', () => {
    expect(isRedisUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error('Reached the max retries'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isRedisUnavailable(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisUnavailable(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isRedisUnavailable('ECONNREFUSED')).toBe(false);
  });
});

describe('closeWithin', () => {
  it('waits for a close that finishes, and ends the process when one never does', async () => {
    const log = recordingLog();
    const exits: number[] = [];
    let closed = false;
    await closeWithin(
      async () => {
        closed = true;
      },
      log,
      0,
      1000,
      (c) => exits.push(c),
    );
    expect([closed, exits]).toEqual([true, []]);

    await closeWithin(() => new Promise<void>(() => {}), log, 3, 50, (c) => exits.push(c));
    expect(exits).toEqual([3]);
    expect(log.lines.map((l) => l.msg)).toContain('shutdown did not finish in time: exiting');
  });
});
