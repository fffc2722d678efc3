/**
 * The deployable image and docker-compose.yml, tested without a container runtime (none runs on
 * these machines): the compose file validates against the Compose specification's JSON schema
 * (the copy dclint ships) and has the shape operations need; the image's Dockerfile (inline in the
 * compose file) is carried out step by step on a clean copy of the committed tree — production
 * dependencies only — and the result starts as the bot and as a worker, /healthz answers 200 and
 * the image's own HEALTHCHECK command exits 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DCLinter } from 'dclint';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/store/redis-server.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { eventually, ROOT } from '../support/xiezuo-process.ts';
import { type BuiltImage, buildImage, dockerignore, inlineDockerfile, readCompose } from './image-steps.ts';

const compose = readCompose(ROOT);
const work = mkdtempSync(join(tmpdir(), 'xiezuo-image-'));
afterAll(() => rm(work, { recursive: true, force: true }), 120_000);

const linter = new DCLinter({ rules: {}, exclude: [], debug: false, quiet: true });

/** Findings on one file: dclint first checks YAML and the Compose schema (rules invalid-yaml, invalid-schema), then its own rules. */
function lint(path: string): Array<{ rule: string; type: string; message: string }> {
  return linter.lintFiles([path], false)[0]!.messages;
}

describe('docker-compose.yml', () => {
  it('validates against the Compose specification JSON schema, and the validator does catch a broken file', () => {
    const found = lint(join(ROOT, 'docker-compose.yml'));
    expect(found.filter((m) => m.rule === 'invalid-schema' || m.rule === 'invalid-yaml' || m.rule === 'unknown-error')).toEqual([]);
    // Style advice (key order) may remain; nothing the linter counts as an error.
    expect(found.filter((m) => m.type === 'error')).toEqual([]);

    const broken = structuredClone(compose) as any;
    broken.services.bot.depends_on.redis.condition = 'service_ready';
    broken.services.worker.healtcheck = broken.services.worker.healthcheck;
    const file = join(work, 'broken-compose.yml');
    writeFileSync(file, stringify(broken));
    expect(lint(file).map((m) => m.rule)).toContain('invalid-schema');
  });

  it('runs Redis with the append-only file, noeviction and a healthcheck; bot and two workers wait for it, with healthchecks, ports on 127.0.0.1, no sleeps', () => {
    const { redis, bot, worker } = compose.services as Record<string, any>;
    const redisArgs = (redis.command as string[]).join(' ');
    expect(redisArgs).toMatch(/--appendonly yes/);
    expect(redisArgs).toMatch(/--appendfsync everysec/);
    expect(redisArgs).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const [name, s] of [['bot', bot], ['worker', worker]] as const) {
      expect(s.depends_on, name).toEqual({ redis: { condition: 'service_healthy' } });
      expect(s.healthcheck.test.join(' '), name).toMatch(/\/healthz/);
      expect(s.image, name).toBe('xiezuo:local');
      expect(s.environment.REDIS_URL, name).toBe('redis://redis:6379');
    }
    expect(worker.deploy.replicas).toBe(2);
    expect(worker.command).toEqual(['worker']);
    expect(bot.command).toEqual(['start']);
    expect(bot.environment.WORKERS).toBe('0');
    for (const s of Object.values(compose.services)) for (const p of (s.ports ?? []) as string[]) expect(p).toMatch(/^127\.0\.0\.1:/);
    expect(JSON.stringify(compose)).not.toMatch(/sleep \d/);
  });

  it('builds a multi-stage Node 20 slim image with production dependencies only, a non-root user and a HEALTHCHECK on /healthz', () => {
    const df = inlineDockerfile(compose);
    // build (compiles dist/ with the dev dependencies), deps (production modules), runtime.
    expect(df.match(/^FROM node:20[-\w.]*slim/gm)).toHaveLength(3);
    expect(df).toMatch(/RUN npm run build/);
    expect(df).toMatch(/RUN npm ci --omit=dev/);
    expect(df).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    // The pictures need a CJK font in the image itself.
    expect(df).toMatch(/apt-get install .*fonts-noto-cjk/);
    expect(df).toMatch(/^USER node$/m);
    expect(df).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(inlineDockerfile(compose, 'worker')).toBe(df);
  });

  it('.dockerignore keeps local state, secrets, modules and tests out of the image', () => {
    const ignored = dockerignore(spawnSync('cat', [join(ROOT, '.dockerignore')]).stdout.toString());
    for (const p of ['node_modules/x/index.js', '.env', '.env.local', '.xiezuo/redis/appendonly.aof', '.git/HEAD', 'tests/log.test.ts', 'bot.log']) expect(ignored(p), p).toBe(true);
    for (const p of ['.env.example', 'package.json', 'package-lock.json', 'src/cli.ts', 'seeds/regions.json', 'jobs/queues.ts', 'commands/index.ts']) expect(ignored(p), p).toBe(false);
  });
});

describe("the image's steps on a clean copy of the committed tree", () => {
  let img: BuiltImage;
  let redis: RedisServer;

  beforeAll(async () => {
    img = buildImage({ root: ROOT, work, dockerfile: inlineDockerfile(compose), runEnv: { npm_config_update_notifier: 'false' } });
    redis = await startRedis();
  }, 300_000);
  afterAll(async () => {
    await redis?.dispose();
  });

  it('installed production dependencies only, and no test or local state came along', () => {
    expect(existsSync(join(img.dir, 'node_modules', 'pino'))).toBe(true);
    // The compiled build runs: neither tsx nor TypeScript is in the runtime image.
    expect(readdirSync(join(img.dir, 'dist')).some((d) => /^[0-9a-f]{16}$/.test(d))).toBe(true);
    for (const dev of ['vitest', 'playwright-core', 'pino-pretty', 'dclint', '@biomejs/biome', 'tsx']) expect(existsSync(join(img.dir, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(join(img.dir, 'tests'))).toBe(false);
    expect(existsSync(join(img.dir, '.env'))).toBe(false);
    expect(img.user).toBe('node');
    expect(img.entrypoint.length).toBeGreaterThan(0);
  });

  for (const service of ['bot', 'worker'] as const) {
    it(`starts as the compose ${service} service: /healthz answers 200 and the image's HEALTHCHECK exits 0`, async () => {
      const s = compose.services[service]!;
      // The compose file's HEALTH_PORT must name the port this service listens on: checked here,
      // then only that port is moved to a free one (with HEALTH_PORT following it).
      const listenVar = service === 'bot' ? 'HTTP_PORT' : 'WORKER_HTTP_PORT';
      const declared = { ...img.env, ...(s.environment as Record<string, string>) };
      expect(declared.HEALTH_PORT, `${service} HEALTH_PORT`).toBe(declared[listenVar]);
      const port = await freePort();
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        ...img.env,
        ...s.environment,
        REDIS_URL: redis.url,
        // Loopback here: the image binds 0.0.0.0 for its container network.
        HTTP_HOST: '127.0.0.1',
        REDIS_PREFIX: `img${service}`,
        [listenVar]: String(port),
        HEALTH_PORT: String(port),
      };
      const [cmd, ...args] = [...img.entrypoint, ...(s.command as string[])];
      const child = spawn(cmd === 'node' ? process.execPath : cmd!, args, { cwd: img.dir, env, stdio: [s.stdin_open ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      try {
        await eventually(async () => {
          if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr.slice(-2000)}`);
          const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
          return res?.status === 200 ? true : undefined;
        }, 60_000, `${service} /healthz 200`);
        const [hc, ...hcArgs] = img.healthcheck;
        const check = spawnSync(hc === 'node' ? process.execPath : hc!, hcArgs, { env, timeout: 10_000 });
        expect(check.status, check.stderr.toString()).toBe(0);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      }
    }, 90_000);
  }
});
