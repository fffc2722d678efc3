/**
 * Redis for `npm start` on a newcomer's machine: when REDIS_URL is not set and nothing answers at
 * the default address, the bot runs its own redis-server child — append-only file on, data under
 * the project (.xiezuo/redis/, git-ignored), bound to loopback — waits for it, and stops it on
 * exit, so the first command gives the whole bot (groups, meetings, broadcasts, alerts), not just
 * the question-answering half. REDIS_URL always wins.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../root.ts';
import type { Logger } from '../log.ts';
import { freePort, ping } from './redis-server.ts';

/** `.xiezuo/redis/` at the checkout's root, also when the compiled copy in dist/<build>/ runs. */
const DEFAULT_EMBEDDED_DIR = join(PROJECT_ROOT, '.xiezuo', 'redis');
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

interface EmbeddedRedis {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export type RedisChoice =
  /** REDIS_URL is set, or a Redis already answers at the default address: nothing to run. */
  | { kind: 'external' }
  | { kind: 'embedded'; redis: EmbeddedRedis }
  /** redis-server is not installed (`missing`) or would not start. */
  | { kind: 'unavailable'; missing: boolean; reason: string };

export interface EmbeddedOptions {
  /** The raw environment: only an explicitly set REDIS_URL counts, not the schema's default. */
  env: Record<string, string | undefined>;
  /** The default address's port: probed first, and where the child listens when it is free. */
  port: number;
  dir?: string;
  log: Logger;
  /** The binary (tests point it at a missing one). */
  command?: string;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

export async function ensureRedis(o: EmbeddedOptions): Promise<RedisChoice> {
  // Sentinel and Cluster settings define the connection as REDIS_URL does.
  if (o.env.REDIS_URL?.trim() || o.env.REDIS_SENTINELS?.trim() || o.env.REDIS_CLUSTER_NODES?.trim()) return { kind: 'external' };
  if (await ping(o.port)) return { kind: 'external' };
  const dir = resolve(o.dir ?? DEFAULT_EMBEDDED_DIR);
  mkdirSync(dir, { recursive: true });
  // The default port when it is free, so a `xiezuo worker` started without REDIS_URL finds it too;
  // otherwise (something that is not Redis holds it) any free one.
  const port = (await portFree(o.port)) ? o.port : await freePort();
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    // BullMQ requires that Redis never evicts its keys.
    '--maxmemory-policy', 'noeviction',
    '--save', '',
    '--logfile', join(dir, 'redis.log'),
    '--daemonize', 'no',
  ];
  const child: ChildProcess = spawn(o.command ?? 'redis-server', args, { stdio: 'ignore' });
  let failure: { missing: boolean; reason: string } | undefined;
  child.once('error', (e: NodeJS.ErrnoException) => {
    failure = { missing: e.code === 'ENOENT', reason: e.message };
  });
  child.once('exit', (code, signal) => {
    failure ??= { missing: false, reason: `redis-server exited (${signal ?? code}); see ${join(dir, 'redis.log')}` };
  });
  const until = Date.now() + READY_TIMEOUT_MS;
  while (!failure && !(await ping(port))) {
    if (Date.now() > until) {
      failure = { missing: false, reason: `redis-server did not answer on 127.0.0.1:${port}` };
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (failure) return { kind: 'unavailable', ...failure };

  // Last resort if the process ends without stop() (an uncaught error): never leave the child behind.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  o.log.info('embedded redis started', { port, dir, pid: child.pid });
  return {
    kind: 'embedded',
    redis: {
      url: `redis://127.0.0.1:${port}`,
      port,
      dir,
      stop: async () => {
        process.off('exit', onExit);
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        // SIGTERM: redis-server flushes the append-only file and exits.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
        o.log.info('embedded redis stopped', { port });
      },
    },
  };
}
