/**
 * Redis Cluster and Sentinel set-ups on loopback ports, started by the test that uses them
 * (real redis-server processes, no containers) and torn down after it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-server.ts';

const run = promisify(execFile);

interface Node {
  port: number;
  child: ChildProcess;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

/** Poll `cond` every 100 ms until it holds; fail after `ms` with `what`. */
async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function launch(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  child.on('error', () => {});
  return child;
}

async function answering(port: number): Promise<boolean> {
  return (await cli(port, 'PING')).trim() === 'PONG';
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export interface RedisCluster {
  /** `127.0.0.1:p1,127.0.0.1:p2,…` for REDIS_CLUSTER_NODES. */
  nodes: string;
  ports: number[];
  dispose(): Promise<void>;
}

/** A cluster of `masters` masters, no replicas, slots spread by `redis-cli --cluster create`. */
export async function startCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-cluster-'));
  const nodes: Node[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // The bus port is set explicitly: the default (port + 10000) may be taken or out of range.
      const bus = await freePort();
      const child = launch([
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes',
        '--cluster-port', String(bus),
        '--cluster-config-file', join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '2000',
        '--appendonly', 'no',
        '--save', '',
        '--dir', dir,
      ]);
      nodes.push({ port, child });
    }
    for (const n of nodes) await until(() => answering(n.port), 10_000, `cluster node ${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 30_000,
    });
    for (const n of nodes) await until(async () => (await cli(n.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 30_000, `cluster state ok on ${n.port}`);
  } catch (e) {
    await Promise.all(nodes.map((n) => kill(n.child, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    nodes: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    ports: nodes.map((n) => n.port),
    dispose: async () => {
      await Promise.all(nodes.map((n) => kill(n.child, 'SIGKILL')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisSentinels {
  /** `127.0.0.1:s1,…` for REDIS_SENTINELS. */
  sentinels: string;
  name: string;
  masterPort: number;
  replicaPort: number;
  /** The port the sentinels now name as master. */
  currentMaster(): Promise<number>;
  /** Kill the master (SIGKILL: a crash, nothing flushed beyond what the AOF already holds). */
  killMaster(): Promise<void>;
  dispose(): Promise<void>;
}

export interface SentinelOptions {
  /** Sentinel's down-after-milliseconds: how long the master must be silent to be failed over. */
  downAfterMs?: number;
}

/** One master (AOF everysec), one replica, three sentinels with quorum 2. */
export async function startSentinels(opts: SentinelOptions = {}): Promise<RedisSentinels> {
  const dir = mkdtempSync(join(tmpdir(), 'xiezuo-sentinel-'));
  const name = 'xzmaster';
  const children: ChildProcess[] = [];
  const dataArgs = (port: number, sub: string) => {
    const d = join(dir, sub);
    mkdirSync(d);
    return ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--dir', d];
  };
  const masterPort = await freePort();
  const replicaPort = await freePort();
  const sentinelPorts: number[] = [];
  let master: ChildProcess | undefined;
  try {
    master = launch(dataArgs(masterPort, 'm'));
    children.push(master);
    await until(() => answering(masterPort), 10_000, 'sentinel master');
    const replica = launch([...dataArgs(replicaPort, 'r'), '--replicaof', '127.0.0.1', String(masterPort)]);
    children.push(replica);
    await until(async () => (await cli(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'), 15_000, 'replica in sync');
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      sentinelPorts.push(port);
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      children.push(launch([conf, '--sentinel']));
    }
    // Ready when every sentinel knows the replica and the other two (they find each other
    // through the master's hello channel, every 2 s): a failover needs the quorum and a replica.
    for (const p of sentinelPorts) {
      await until(async () => (await cli(p, 'SENTINEL', 'REPLICAS', name)).includes(String(replicaPort)), 30_000, `sentinel ${p} sees the replica`);
      await until(async () => (await cli(p, 'SENTINEL', 'SENTINELS', name)).split('\n').filter((l) => l.trim() === 'runid').length >= 2, 30_000, `sentinel ${p} sees the others`);
    }
  } catch (e) {
    await Promise.all(children.map((c) => kill(c, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const currentMaster = async () => {
    for (const p of sentinelPorts) {
      const out = await cli(p, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name).catch(() => '');
      const port = Number(out.trim().split('\n')[1]);
      if (port) return port;
    }
    throw new Error('no sentinel answered');
  };
  return {
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    name,
    masterPort,
    replicaPort,
    currentMaster,
    killMaster: async () => {
      if (master) await kill(master, 'SIGKILL');
    },
    dispose: async () => {
      await Promise.all(children.map((c) => kill(c, 'SIGKILL')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
