/**
 * `xiezuo <subcommand>`: each subcommand lives in src/cli/<name>.ts and is loaded on demand, so
 * `xiezuo ask` does not pay for the platform SDKs it never uses.
 */
import { existsSync } from 'node:fs';
import { StartupError } from './errors.ts';

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> }> = {
  start: { summary: '启动机器人（未配置平台令牌时打开控制台对话）', load: () => import('./cli/start.ts') },
  ask: { summary: '提问并打印答复：xiezuo ask [--json] ["问题"]（无问题时逐行读标准输入）', load: () => import('./cli/ask.ts') },
  ingest: { summary: '解析文档并打印提纲与条款数：xiezuo ingest FILE', load: () => import('./cli/ingest.ts') },
  worker: { summary: '只运行后台任务进程（BullMQ workers）', load: () => import('./cli/worker.ts') },
  seed: { summary: '把 seeds/ 中的示例频道组等载入 Redis', load: () => import('./cli/seed.ts') },
  bench: { summary: '性能测量：xiezuo bench [--json]', load: () => import('./cli/bench.ts') },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([n, s]) => `  xiezuo ${n.padEnd(7)} ${s.summary}`);
  return `用法：xiezuo <子命令> [参数]\n${lines.join('\n')}`;
}

async function main(): Promise<number> {
  // A local .env (see .env.example) fills in what the real environment leaves unset.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [sub, ...rest] = process.argv.slice(2);
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(usage() + '\n');
    return sub ? 0 : 2;
  }
  const entry = SUBCOMMANDS[sub];
  if (!entry) {
    process.stderr.write(`未知子命令：${sub}\n${usage()}\n`);
    return 2;
  }
  const mod = await entry.load();
  return mod.main(rest);
}

try {
  const code = await main();
  process.exitCode = code;
} catch (e) {
  if (e instanceof StartupError) {
    process.stderr.write(e.message + '\n');
    process.exitCode = 2;
  } else {
    throw e;
  }
}
