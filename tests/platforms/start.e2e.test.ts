/**
 * The real process: `node src/bin/xiezuo.mjs start` (what `npm start` runs) against the Bot API
 * and Web API stand-ins and a private redis-server. Checks the Done-when answers end to
 * end — Telegram (long polling) and Slack (HTTP mode) side by side in one process, then
 * Telegram in webhook mode — plus /healthz and a clean exit on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from '../support/fake-slack.ts';
import { type FakeTelegram, startFakeTelegram } from '../support/fake-telegram.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'e2e-signing-secret';

interface Running {
  child: ChildProcess;
  port: number;
  exit: Promise<number | null>;
  stderr: () => string;
}

/** Spawn `xiezuo start` with exactly these platform variables; resolves once it logs "xiezuo started". */
async function startBot(vars: Record<string, string>): Promise<Running> {
  const env: Record<string, string> = {};
  // Nothing of the developer's own platform setup may leak in.
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(TELEGRAM_|SLACK_|HTTP_|REDIS_|WORKERS)/.test(k)) env[k] = v;
  Object.assign(env, { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' }, vars);
  const child = spawn(process.execPath, ['src/bin/xiezuo.mjs', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  let port = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started in time:\n${stderr.slice(-3000)}`)), 45_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const line of stderr.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const rec = JSON.parse(line) as { msg?: string; port?: number };
          if (rec.msg === 'http listening' && rec.port) port = rec.port;
          if (rec.msg === 'xiezuo started') {
            clearTimeout(timer);
            resolve();
          }
        } catch {
          /* partial line */
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before start:\n${stderr.slice(-3000)}`));
    });
  });
  return { child, port, exit, stderr: () => stderr };
}

async function stopBot(bot: Running | undefined): Promise<void> {
  if (bot && bot.child.exitCode === null) {
    bot.child.kill('SIGKILL');
    await bot.exit;
  }
}

describe('xiezuo start: Telegram polling + Slack HTTP in one process', () => {
  let redis: RedisServer;
  let tg: FakeTelegram;
  let slack: FakeSlack;
  let bot: Running;

  beforeAll(async () => {
    [redis, tg, slack] = await Promise.all([startRedis(), startFakeTelegram(), startFakeSlack()]);
    // Workers on (the default), as `npm start` runs them.
    bot = await startBot({
      TELEGRAM_BOT_TOKEN: '123:TEST',
      TELEGRAM_API_ROOT: tg.apiRoot,
      SLACK_BOT_TOKEN: 'xoxb-e2e',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'e2e',
    });
  }, 60_000);

  afterAll(async () => {
    await stopBot(bot);
    await Promise.all([tg?.close(), slack?.close(), redis?.dispose()]);
  });

  it('answers a private /pair 大连 naming 上海', async () => {
    tg.pushUpdate(tg.privateText(1001, '/pair 大连'));
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '1001', 20_000);
    expect(sent.body.text).toContain('上海');
  }, 30_000);

  it('answers /pair@<bot> 无锡 in a group naming 盘锦, and ignores ordinary group chatter', async () => {
    tg.pushUpdate(tg.groupText(-2001, 7, `/pair@${tg.username} 无锡`));
    tg.pushUpdate(tg.groupText(-2002, 7, '大家好，下午的联席会议改到三点。'));
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '-2001', 20_000);
    expect(sent.body.text).toContain('盘锦');
    await new Promise((r) => setTimeout(r, 500));
    expect(tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === '-2002')).toHaveLength(0);
  }, 30_000);

  it('answers a signed Slack /xiezuo pair 大连 naming 上海, and refuses a bad signature with 401', async () => {
    const url = `http://127.0.0.1:${bot.port}/slack/events`;
    const ok = await postSigned(url, slashCommandBody({ text: 'pair 大连', channel: 'C777', responseUrl: slack.responseUrl() }), SECRET);
    expect(ok.status).toBe(200);
    const post = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C777', 20_000);
    expect(post.body.text).toContain('上海');
    const bad = await postSigned(url, slashCommandBody({ text: 'pair 大连', channel: 'C778', responseUrl: slack.responseUrl() }), SECRET, { signWith: 'forged' });
    expect(bad.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C778')).toHaveLength(0);
    expect(slack.callsTo('response_url')).toHaveLength(0);
  }, 30_000);

  it('reports Telegram, Slack and Redis in /healthz', async () => {
    const res = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
    const body = (await res.json()) as { ok: boolean; components: Record<string, { ok: boolean; state: string }> };
    expect(body.components.telegram).toEqual({ ok: true, state: 'polling' });
    expect(body.components.slack).toEqual({ ok: true, state: 'http' });
    expect(body.components.redis).toEqual({ ok: true, state: 'ok' });
    expect(res.status).toBe(body.ok ? 200 : 503);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    bot.child.kill('SIGTERM');
    const code = await Promise.race([bot.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(code).toBe(0);
  }, 20_000);
});

describe('xiezuo start: Telegram webhook mode', () => {
  let redis: RedisServer;
  let tg: FakeTelegram;
  let bot: Running;
  const secret = 'e2e_webhook_secret';

  beforeAll(async () => {
    [redis, tg] = await Promise.all([startRedis(), startFakeTelegram()]);
    bot = await startBot({
      TELEGRAM_BOT_TOKEN: '123:TEST',
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: secret,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'e2ewh',
      WORKERS: '0',
    });
  }, 60_000);

  afterAll(async () => {
    await stopBot(bot);
    await Promise.all([tg?.close(), redis?.dispose()]);
  });

  it('answers an update posted to /telegram/webhook with the secret, and refuses one without', async () => {
    const url = `http://127.0.0.1:${bot.port}/telegram/webhook`;
    const post = (update: Record<string, any>, token?: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { 'x-telegram-bot-api-secret-token': token } : {}) },
        body: JSON.stringify(update),
      });
    const refused = await post({ update_id: 1, ...tg.privateText(3001, '/pair 大连') }, 'wrong');
    expect(refused.status).toBe(401);
    const ok = await post({ update_id: 2, ...tg.privateText(3002, '/pair 大连') }, secret);
    expect(ok.status).toBe(200);
    const sent = await tg.waitForCall('sendMessage', (c) => String(c.body.chat_id) === '3002', 20_000);
    expect(sent.body.text).toContain('上海');
    expect(tg.callsTo('sendMessage').filter((c) => String(c.body.chat_id) === '3001')).toHaveLength(0);
    expect(tg.callsTo('getUpdates')).toHaveLength(0);
  }, 30_000);
});
