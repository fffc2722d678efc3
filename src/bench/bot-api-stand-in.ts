/**
 * The smallest Telegram Bot API that grammy accepts for sendMessage / editMessageText, served in
 * the bench's own process: every sendMessage is handed to `onSend` with the moment its body
 * arrived, so a bench can time arrivals without the stand-in's own work between.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentToStandIn {
  /** `performance.now()` and `Date.now()` when the request body was complete. */
  perfAt: number;
  wallAt: number;
  chat: string;
  text: string;
}

export async function startBotApiStandIn(onSend: (m: SentToStandIn) => void): Promise<{ server: Server; root: string; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const perfAt = performance.now();
      const wallAt = Date.now();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // grammy sends JSON for text messages; anything else is just answered.
      }
      const method = (req.url ?? '').split('/').pop();
      if (method === 'sendMessage') onSend({ perfAt, wallAt, chat: String(body.chat_id), text: String(body.text ?? '') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ok: true,
          result:
            method === 'sendMessage'
              ? { message_id: ++n, date: Math.floor(wallAt / 1000), chat: { id: Number(body.chat_id), type: 'group', title: 'g' }, text: body.text }
              : true,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    root: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The p-th percentile of ascending samples (nearest rank); NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
