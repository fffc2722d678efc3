/**
 * The compiled build: `npm start` runs the JavaScript in dist/ (no TypeScript source, no tsx is
 * loaded), and a build older than the sources is never run — the entry compiles the current
 * sources first (checked on a copy of the checkout, so this one's dist/ is left alone).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from './support/redis-server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(opts.input ?? '');
  });
}

describe('npm start', () => {
  let redis: RedisServer;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'xiezuo-build-'));
  });
  afterAll(async () => {
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the compiled entry: every module of ours it loads is a chunk of the bundle in dist/, none is TypeScript or tsx', { timeout: 300_000 }, async () => {
    const loaded = join(dir, 'loaded.txt');
    // A resolve hook records every file the process (and npm's) loads through the ESM loader.
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (r.url.startsWith('file:')) appendFileSync(${JSON.stringify(loaded)}, r.url + '\\n');
  return r;
}
`,
    );
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(TELEGRAM_|SLACK_|HTTP_|REDIS_|NODE_OPTIONS$)/.test(k)) env[k] = v;
    Object.assign(env, {
      NODE_OPTIONS: `--import ${join(dir, 'register.mjs')}`,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'build-test',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    // The console chat (no platform token): answers the line, then stdin's end stops it.
    const r = await run('npm', ['start', '--silent'], { cwd: ROOT, env, input: '大连的对口合作城市是哪个\n' });
    expect(r.err).not.toMatch(/Error/);
    expect(r.out).toContain('大连市的结对');
    expect(r.code).toBe(0);
    const urls = readFileSync(loaded, 'utf8').split('\n').filter(Boolean);
    const ours = urls.filter((u) => u.startsWith(`file://${ROOT}`) && !u.includes('/node_modules/'));
    // The entry is the bundle of the compiled build (build.mjs): besides the two launcher files,
    // every module of ours it loads is one of its chunks.
    expect(ours.some((u) => /\/dist\/[0-9a-f]{16}\/bundle\/cli\.js$/.test(u))).toBe(true);
    const launcher = ours.filter((u) => /\/src\/bin\/(xiezuo|build)\.mjs$/.test(u));
    expect(launcher).toHaveLength(2);
    expect(ours.filter((u) => !launcher.includes(u) && !/\/dist\/[0-9a-f]{16}\/bundle\/[\w-]+\.m?js$/.test(u))).toEqual([]);
    expect(ours.filter((u) => u.endsWith('.ts'))).toEqual([]);
    expect(urls.filter((u) => u.includes('/node_modules/tsx/'))).toEqual([]);
  });
});

describe('a stale build', () => {
  let copy: string;
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'xiezuo-stale-'));
    for (const p of ['src', 'commands', 'jobs', 'seeds', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
      cpSync(join(ROOT, p), join(copy, p), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('is never run: a changed source is compiled before the entry runs', { timeout: 600_000 }, async () => {
    const before = await run(process.execPath, ['src/bin/xiezuo.mjs', '--help'], { cwd: copy });
    expect(before.code).toBe(0);
    expect(before.out).toContain('用法：xiezuo');
    const builds = () => readdirSync(join(copy, 'dist')).filter((n) => /^[0-9a-f]{16}$/.test(n));
    expect(builds()).toHaveLength(1);

    const file = join(copy, 'src', 'i18n', 'zh', 'startup.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('用法：xiezuo', '用法（已改）：xiezuo'));
    const after = await run(process.execPath, ['src/bin/xiezuo.mjs', '--help'], { cwd: copy });
    expect(after.code).toBe(0);
    expect(after.out).toContain('用法（已改）：xiezuo');
    expect(builds()).toHaveLength(2);

    // Unchanged sources: the same build again, nothing compiled.
    const again = await run(process.execPath, ['src/bin/xiezuo.mjs', '--help'], { cwd: copy });
    expect(again.out).toContain('用法（已改）：xiezuo');
    expect(again.err).not.toContain('compiling');
  });
});
