/**
 * Scale-out: deliveries per second with one and with two `xiezuo worker` processes against one
 * Redis and a Bot API stand-in (limits lifted), and the total CPU time per delivered message of
 * every process doing our work — this bench process (enqueue, outcomes), the workers, Redis —
 * which, unlike the rates, does not depend on how many cores the machine has. The stand-in plays
 * the remote platform, so its CPU is not counted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import type { Destination } from '../messages.ts';
import { startRedis } from '../store/redis-server.ts';
import { startBotApiStandIn } from './bot-api-stand-in.ts';

const BIN = fileURLToPath(new URL('../bin/xiezuo.mjs', import.meta.url));
const MESSAGES = Number(process.env.BENCH_SCALE_MESSAGES ?? 3000);
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** utime + stime of a process so far, in µs (Linux /proc). */
function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US;
}

export async function benchScale(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  let received = 0;
  const stand = await startBotApiStandIn(() => received++);
  const children: ChildProcess[] = [];
  try {
    const run = async (workers: number) => {
      const prefix = `bench-scale-${workers}`;
      const env = {
        ...process.env,
        REDIS_URL: redis.url,
        REDIS_PREFIX: prefix,
        LOG_LEVEL: 'silent',
        TELEGRAM_BOT_TOKEN: '123:BENCH',
        TELEGRAM_API_ROOT: stand.root,
        DELIVERY_LIMITS: '0',
        DELIVERY_CONCURRENCY: process.env.DELIVERY_CONCURRENCY ?? '64',
        WORKERS: '1',
      };
      const app = await createApp(loadConfig(env), { log: createLogger('silent') });
      const procs: ChildProcess[] = [];
      for (let i = 0; i < workers; i++) {
        const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
        children.push(child);
        procs.push(child);
        child.stdout?.resume();
      }
      const tos: Destination[] = Array.from({ length: MESSAGES }, (_, i) => ({ platform: 'telegram', chatId: String(-1_000_000 - i) }));
      await app.services.groups.create('规模');
      await app.services.groups.add('规模', tos.map((to) => ({ to })));
      // Warm-up: one message per worker process, so start-up is not billed to the measured run.
      const warm = await app.services.broadcasts.draft({ group: '规模', text: 'warm', by: { platform: 'telegram', id: '1' }, chat: { platform: 'telegram', chatId: '1' }, destinations: tos.slice(0, 1) });
      const base = received;
      await app.services.broadcasts.confirm(warm.id, undefined);
      while (received < base + 1) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 1500));
      const redisPid = Number(/process_id:(\d+)/.exec(await app.services.redis.info('server'))![1]);
      const pids = [process.pid, redisPid, ...procs.map((p) => p.pid!)];
      const cpu0 = pids.map(cpuUs);
      const start = received;
      const t0 = performance.now();
      const b = await app.services.broadcasts.draft({ group: '规模', text: '规模测试', by: { platform: 'telegram', id: '1' }, chat: { platform: 'telegram', chatId: '1' }, destinations: tos });
      await app.services.broadcasts.confirm(b.id, undefined);
      while (received < start + MESSAGES) await new Promise((r) => setTimeout(r, 10));
      const seconds = (performance.now() - t0) / 1000;
      const cpu = pids.map(cpuUs).reduce((s, v, i) => s + v - cpu0[i]!, 0);
      for (const p of procs) p.kill('SIGTERM');
      await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
      await app.close();
      return { perS: Math.round(MESSAGES / seconds), cpuUsPerMsg: Math.round(cpu / MESSAGES) };
    };
    const one = await run(1);
    const two = await run(2);
    return {
      messages: MESSAGES,
      workers_1_per_s: one.perS,
      workers_2_per_s: two.perS,
      cpu_us_per_msg: one.cpuUsPerMsg,
      cpu_us_per_msg_2_workers: two.cpuUsPerMsg,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await stand.close();
    await redis.dispose();
  }
}
