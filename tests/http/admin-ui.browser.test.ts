/**
 * The queue dashboard in a real browser: Debian's chromium (/usr/bin/chromium; .ci/run installs
 * it) driven by playwright-core — never a downloaded browser build. A delivery to a platform this
 * process has no sender for fails permanently; the dashboard, behind ADMIN_UI_TOKEN, lists every
 * queue of the deployment and shows that failed job with its error; without the token, or with a
 * wrong one, it is refused, and read-only mode refuses actions. A screenshot of the failed job
 * is saved in the test's temp folder (its path is printed).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ADMIN_UI_PATH, type AdminUi, mountAdminUi } from '../../src/http/admin-ui.ts';
import { HttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import type { RunningWorkers } from '../../src/process.ts';
import { startWorkers } from '../../jobs/worker.ts';
import type { Sender } from '../../src/delivery/sender.ts';
import { SendError } from '../../src/errors.ts';
import { msg } from '../../src/i18n/index.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { eventually } from '../support/xiezuo-process.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'dashboard-token-9c1e2f7a';
const PREFIX = 'uitest';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let redis: RedisServer;
let app: App;
let workers: RunningWorkers;
let http: HttpServer;
let ui: AdminUi | undefined;
let base: string;
let dir: string;
const contexts: BrowserContext[] = [];
const profiles: string[] = [];

/** A fresh browser with its own profile folder (launchPersistentContext passes it as --user-data-dir). */
async function browser(credentials?: { username: string; password: string }): Promise<BrowserContext> {
  const profile = mkdtempSync(join(dir, 'profile-'));
  profiles.push(profile);
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    ...(credentials ? { httpCredentials: credentials } : {}),
  });
  contexts.push(ctx);
  return ctx;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  dir = mkdtempSync(join(tmpdir(), 'xiezuo-admin-ui-'));
  redis = await startRedis();
  const config = loadConfig({ REDIS_URL: redis.url, REDIS_PREFIX: PREFIX, LOG_LEVEL: 'silent', ADMIN_UI_TOKEN: TOKEN, DELIVERY_LIMITS: '0' });
  const log = createLogger('silent');
  // A Telegram sender whose chat is gone: the delivery fails permanently, with its Chinese reason.
  const gone: Sender = {
    platform: 'telegram',
    send: async () => {
      throw new SendError('telegram 400: Bad Request: chat not found', { permanent: true, platformCode: 400, failure: 'chatNotFound' });
    },
    edit: async () => {},
  };
  app = await createApp(config, { log, senders: { telegram: gone } });
  workers = await startWorkers(app.services);
  await app.services.outbox.enqueue([
    { id: 'ui-test:1', to: { platform: 'telegram', chatId: '-100200300' }, reply: { blocks: [{ text: '测试通知' }] }, origin: { kind: 'notice', id: 'ui-test' } },
  ]);
  const queue = app.services.outbox.queue('telegram');
  await eventually(async () => ((await queue.getFailedCount()) === 1 ? true : undefined), 20_000, 'the delivery job failed');
  http = new HttpServer(log);
  ui = mountAdminUi(http, config, log);
  base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await http?.close();
  await ui?.close();
  await workers?.close();
  await app?.close();
  await redis?.dispose();
  // The screenshots stay for a person to look at (their paths are printed); the profiles go.
  for (const p of profiles) rmSync(p, { recursive: true, force: true });
});

describe('queue dashboard at /admin/queues', () => {
  it('is refused without the token or with a wrong one, page and API alike', async () => {
    // Headless Chromium meets the Basic challenge either by showing the 401 or, with no one to
    // ask (or credentials that were refused), by abandoning the navigation. Both are a refusal.
    const refused = async (ctx: BrowserContext) => {
      const page = await ctx.newPage();
      const served: number[] = [];
      page.on('response', (r) => void (r.url().startsWith(base) && served.push(r.status())));
      const outcome = await page.goto(`${base}${ADMIN_UI_PATH}`).then(
        (r) => r?.status(),
        (e: unknown) => String(e),
      );
      expect(outcome === 401 || /ERR_INVALID_AUTH_CREDENTIALS/.test(String(outcome)), `outcome ${outcome}`).toBe(true);
      // Nothing of the dashboard reached this browser: every answer it got was a 401.
      expect(served.filter((st) => st !== 401)).toEqual([]);
    };
    await refused(await browser());
    await refused(await browser({ username: 'ops', password: 'not-the-token' }));

    const plain = await fetch(`${base}${ADMIN_UI_PATH}`);
    expect(plain.status).toBe(401);
    expect(plain.headers.get('www-authenticate')).toMatch(/^Basic /);
    const basicWrong = await fetch(`${base}${ADMIN_UI_PATH}`, { headers: { authorization: `Basic ${Buffer.from('ops:not-the-token').toString('base64')}` } });
    expect(basicWrong.status).toBe(401);
    const api = await fetch(`${base}${ADMIN_UI_PATH}/api/queues`);
    expect(api.status).toBe(401);
    const bearer = await fetch(`${base}${ADMIN_UI_PATH}/api/queues`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
  }, 60_000);

  it('refuses actions in read-only mode, even with the token', async () => {
    const res = await fetch(`${base}${ADMIN_UI_PATH}/api/queues/deliver-telegram/retry/failed`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(403);
    expect(await app.services.outbox.queue('telegram').getFailedCount()).toBe(1);
  });

  it('with the token lists every queue of the deployment and shows the failed delivery with its error', async () => {
    const ctx = await browser({ username: 'ops', password: TOKEN });
    const page = await ctx.newPage();
    const res = await page.goto(`${base}${ADMIN_UI_PATH}`);
    expect(res?.status()).toBe(200);
    for (const q of ['deliver-telegram', 'deliver-slack', 'deliver-console', 'reminders', 'alert-escalate']) {
      await page.getByText(q, { exact: true }).first().waitFor({ timeout: 20_000 });
    }
    await page.screenshot({ path: join(dir, 'queues.png'), fullPage: true });

    await page.goto(`${base}${ADMIN_UI_PATH}/queue/deliver-telegram?status=failed`);
    await page.getByText(msg.platforms.sendFailure.chatNotFound!).first().waitFor({ timeout: 20_000 });
    const shot = join(dir, 'failed-delivery.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    process.stdout.write(`admin ui screenshots: ${join(dir, 'queues.png')} ${shot}\n`);
  }, 90_000);
});

