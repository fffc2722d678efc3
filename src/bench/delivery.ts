/**
 * Delivery throughput: 10,000 messages through the whole pipeline — a confirmed broadcast →
 * Outbox (BullMQ, one job per message) → Courier (claim, sent-marker, rate buckets) →
 * TelegramSender (grammy over HTTP) → a local Bot API stand-in → outcome recorded by the
 * broadcast listener — with platform limits lifted, beside plain BullMQ no-op jobs (same count,
 * same concurrency, same Redis) in the same run. ratio = pipeline ÷ no-op. Also measured: BullMQ
 * jobs that only make the same Sender call (`send_only_per_s`), the floor any pipeline over this
 * HTTP client has, and the pipeline relative to it (`ratio_to_send_only`). The stand-in runs in
 * its own process, as the platform would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { type Job, Queue, Worker } from 'bullmq';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import type { Destination } from '../messages.ts';
import { MemoryCallbackStore } from '../platforms/telegram/callbacks.ts';
import { TelegramSender, createTelegramApi } from '../platforms/telegram/sender.ts';
import { createBullConnection } from '../store/redis.ts';
import { startRedis } from '../store/redis-server.ts';
import { startWorkers } from '../../jobs/worker.ts';

const TOKEN = '123:BENCH';
const MESSAGES = 10_000;

/**
 * The smallest Bot API grammy accepts for sendMessage, in its own process: the platform is remote
 * in production, so its CPU must not be billed to the pipeline. Reports how many it answered.
 */
const STAND_IN = `
const http = require('node:http');
let n = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let chatId = 0;
    try { chatId = Number(JSON.parse(Buffer.concat(chunks).toString('utf8')).chat_id); } catch {}
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, result: { message_id: ++n, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'group', title: 'g' } } }));
  });
});
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => { if (m === 'count') process.send({ count: n }); });
`;

async function standIn(): Promise<{ child: ChildProcess; root: string; received: () => Promise<number> }> {
  const child = spawn(process.execPath, ['-e', STAND_IN], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('error', reject);
  });
  const received = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m) => resolve((m as { count: number }).count));
      child.send('count');
    });
  return { child, root: `http://127.0.0.1:${port}`, received };
}

async function until(cond: () => boolean | Promise<boolean>, stepMs = 10): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, stepMs));
}

/**
 * MESSAGES plain BullMQ jobs (`data(i)` each) through one queue and one worker of `concurrency`,
 * each on a connection of its own, added in batches of 500: ms from the first add to the last
 * job completed. Closes all it opened.
 */
async function timePlainJobs(
  redisUrl: string,
  name: string,
  concurrency: number,
  data: (i: number) => Record<string, number>,
  processor: (job: Job) => Promise<void>,
): Promise<number> {
  const conn = createBullConnection(redisUrl);
  const queue = new Queue(name, { connection: conn, prefix: 'bench-noop' });
  let done = 0;
  const workerConn = createBullConnection(redisUrl);
  const worker = new Worker(name, processor, { connection: workerConn, prefix: 'bench-noop', concurrency });
  worker.on('completed', () => void done++);
  await worker.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i += 500)
    await queue.addBulk(Array.from({ length: Math.min(500, MESSAGES - i) }, (_, k) => ({ name, data: data(i + k), opts: { removeOnComplete: true } })));
  await until(() => done >= MESSAGES);
  const ms = performance.now() - t0;
  await worker.close();
  await queue.close();
  await conn.quit();
  await workerConn.quit();
  return ms;
}

export async function benchDelivery(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  const stand = await standIn();
  const config = loadConfig({
    ...process.env,
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'bench-delivery',
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: stand.root,
    DELIVERY_LIMITS: '0',
    // Sends are latency-bound; both sides get the same, larger concurrency unless told otherwise.
    DELIVERY_CONCURRENCY: process.env.DELIVERY_CONCURRENCY ?? '64',
  });
  const concurrency = config.DELIVERY_CONCURRENCY;
  try {
    // Plain BullMQ: the same number of jobs, processors that do nothing, same concurrency.
    const noopMs = await timePlainJobs(redis.url, 'bench-noop', concurrency, (i) => ({ i }), async () => undefined);

    // The floor set by the platform call alone: BullMQ jobs that only call the same Sender (no
    // claim, marker, buckets or outcome) — shows how much of the gap is HTTP, not the pipeline.
    const senders = { telegram: new TelegramSender(createTelegramApi(TOKEN, stand.root), new MemoryCallbackStore()) };
    const httpMs = await timePlainJobs(
      redis.url,
      'bench-http',
      concurrency,
      (i) => ({ chat: -2_000_000 - i }),
      async (job) => {
        await senders.telegram.send({ platform: 'telegram', chatId: String(job.data.chat) }, { blocks: [{ text: '基准测试通知' }] });
      },
    );

    // The pipeline.
    const app = await createApp(config, { senders, log: createLogger('silent') });
    const workers = await startWorkers(app.services);
    const tos: Destination[] = Array.from({ length: MESSAGES }, (_, i) => ({ platform: 'telegram', chatId: String(-1_000_000 - i) }));
    const b = await app.services.broadcasts.draft({
      group: 'bench',
      text: '基准测试通知',
      by: { platform: 'console', id: 'bench' },
      chat: { platform: 'console', chatId: 'bench' },
      destinations: tos,
    });
    const t1 = performance.now();
    await app.services.broadcasts.confirm(b.id, undefined);
    await until(async () => (await app.services.broadcasts.progress(b.id))?.status === 'done', 50);
    const pipeMs = performance.now() - t1;
    const final = await app.services.broadcasts.get(b.id);
    await workers.close();
    await app.close();

    const perS = (MESSAGES * 1000) / pipeMs;
    const noopPerS = (MESSAGES * 1000) / noopMs;
    return {
      messages: MESSAGES,
      per_s: Math.round(perS),
      noop_per_s: Math.round(noopPerS),
      ratio: Math.round((perS / noopPerS) * 100) / 100,
      /** BullMQ + the Sender's HTTP call and nothing else, and the pipeline relative to it. */
      send_only_per_s: Math.round((MESSAGES * 1000) / httpMs),
      ratio_to_send_only: Math.round(((perS * httpMs) / (MESSAGES * 1000)) * 100) / 100,
      delivered: final?.delivered,
      received: await stand.received(),
      concurrency,
    };
  } finally {
    stand.child.kill();
    await redis.dispose();
  }
}
