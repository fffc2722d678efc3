/**
 * `npm start` with no REDIS_URL and nothing answering at the default address: the real process
 * runs its own redis-server (append-only file in the data folder), the console chat gets the
 * whole bot — /group create, /meeting add, /alert — and the child is stopped on exit. Without a
 * redis-server binary it says so in one Chinese line and still answers questions.
 * The "default address" is a free port here (EMBEDDED_REDIS_PORT), never the machine's 6379.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ping } from '../../src/store/redis-server.ts';
import { eventually, spawnXiezuo, type XiezuoProcess } from '../support/xiezuo-process.ts';

const dirs: string[] = [];
const procs: XiezuoProcess[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'xiezuo-embedded-'));
  dirs.push(d);
  return d;
}

/** Type one line into the console chat and wait until stdout shows `expect` after it. */
async function say(p: XiezuoProcess, line: string, expected: RegExp, timeoutMs = 20_000): Promise<string> {
  const from = p.stdout().length;
  p.child.stdin!.write(`${line}\n`);
  return eventually(async () => {
    const out = p.stdout().slice(from);
    return expected.test(out) ? out : undefined;
  }, timeoutMs, `reply to ${line} matching ${expected}`);
}

describe('embedded redis-server', () => {
  it('runs its own redis-server when REDIS_URL is unset, so groups, meetings and alerts work in the console chat, and stops it on exit', async () => {
    const port = await freePort();
    const dir = tempDir();
    const bot = await spawnXiezuo({
      args: ['start'],
      env: { EMBEDDED_REDIS_PORT: String(port), EMBEDDED_REDIS_DIR: dir, HTTP_PORT: '0' },
      readyMsg: 'xiezuo started',
      stdin: true,
    });
    procs.push(bot);
    expect(bot.stderr()).toContain('embedded redis started');
    expect(await ping(port)).toBe(true);

    await say(bot, '/group create 测试协作组', /测试协作组/);
    const added = await say(bot, '/group add 测试协作组', /测试协作组/);
    expect(added).not.toMatch(/不可用|失败/);
    const when = new Date(Date.now() + 3 * 24 * 3600_000 + 8 * 3600_000).toISOString();
    const meeting = await say(bot, `/meeting add "联席会议" ${when.slice(0, 10)} 09:30 测试协作组 --remind 1d`, /联席会议/);
    expect(meeting).toMatch(/已安排会议 M\d+/);
    expect(meeting).not.toMatch(/存储|不可用/);
    // Level II goes out at once; the reply names the alert id.
    const alert = await say(bot, '/alert 文山 地震 II 州府震感强烈，已有房屋倒塌', /A-\d{8}-\d+/);
    expect(alert).not.toMatch(/存储|不可用/);
    const id = /A-\d{8}-\d+/.exec(alert)![0];
    await say(bot, `/alert status ${id}`, new RegExp(id));

    // Ctrl+D ends the chat and the process; the child goes with it, its append-only file stays.
    bot.child.stdin!.end();
    expect(await bot.exit).toBe(0);
    expect(bot.stderr()).toContain('embedded redis stopped');
    expect(await ping(port)).toBe(false);
    expect(readdirSync(dir).some((f) => f.startsWith('appendonly'))).toBe(true);

    // A second start replays it: the group is still there.
    const again = await spawnXiezuo({ args: ['start'], env: { EMBEDDED_REDIS_PORT: String(port), EMBEDDED_REDIS_DIR: dir }, readyMsg: 'xiezuo started', stdin: true });
    procs.push(again);
    await say(again, '/group list', /测试协作组/);
    again.child.stdin!.end();
    expect(await again.exit).toBe(0);
    expect(await ping(port)).toBe(false);
  }, 120_000);

  it('uses REDIS_URL when it is set, and starts nothing', async () => {
    const port = await freePort();
    const dir = tempDir();
    const bot = await spawnXiezuo({
      args: ['start'],
      // Nothing listens at REDIS_URL: the bot must not replace it with its own.
      env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, EMBEDDED_REDIS_PORT: String(port), EMBEDDED_REDIS_DIR: join(dir, 'data') },
      readyMsg: 'xiezuo started',
      stdin: true,
    });
    procs.push(bot);
    expect(bot.stderr()).not.toContain('embedded redis');
    expect(existsSync(join(dir, 'data'))).toBe(false);
    expect(await ping(port)).toBe(false);
    bot.child.stdin!.end();
    expect(await bot.exit).toBe(0);
  }, 60_000);

  it('without a redis-server binary says in one Chinese line which features need Redis, and still answers questions', async () => {
    const port = await freePort();
    const bot = await spawnXiezuo({
      args: ['start'],
      env: { EMBEDDED_REDIS_PORT: String(port), EMBEDDED_REDIS_DIR: join(tempDir(), 'data'), PATH: '/nonexistent' },
      readyMsg: 'xiezuo started',
      stdin: true,
    });
    procs.push(bot);
    const line = bot.stderr().split('\n').find((l) => l.includes('redis-server'))!;
    expect(line).toMatch(/^未找到 redis-server：.*频道组.*会议.*广播.*告警.*REDIS_URL/);
    await say(bot, '/pair 大连', /上海/);
    bot.child.stdin!.end();
    expect(await bot.exit).toBe(0);
  }, 60_000);
});
