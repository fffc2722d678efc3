/**
 * grammy's HTTP transport on undici's dispatcher instead of grammy's default node-fetch over
 * node:http. Every delivery is one Bot API call, so the client's CPU per call bounds how fast a
 * worker sends: measured against a local Bot API stand-in at concurrency 64 (grammy's own work
 * included), node-fetch took 365–512 µs of CPU per sendMessage, node:http alone about 285 µs,
 * undici's `request` 180–300 µs, and its `dispatch` with the plain handler below 172–192 µs.
 *
 * grammy reads only `json()` from the response. The Bot API answers JSON for errors too; a body
 * that is not JSON (a proxy's error page) makes `json()` throw, which grammy reports as an
 * HttpError — a network failure, retried — as it does with node-fetch. grammy's timeout and
 * abort arrive as `signal` and abort the request.
 */
import type { Readable } from 'node:stream';
import type { ApiClientOptions } from 'grammy';
import { Agent, type Dispatcher } from 'undici';

/** Keep-alive connection pools per origin, shared by every Api in the process. */
const dispatcher = new Agent({ keepAliveTimeout: 10_000 });

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  /** JSON text, or a multipart stream for uploads (sendDocument). */
  body?: string | Readable;
  signal?: AbortSignal;
}

interface BotApiResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

function botApiRequest(url: string, init: FetchInit = {}): Promise<BotApiResponse> {
  const target = new URL(url);
  const { signal } = init;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    // undici calls onRequestStart again when it retries on a fresh connection; the one abort
    // listener always aborts the attempt in flight.
    let attempt: Dispatcher.DispatchController | undefined;
    const onAbort = () => attempt?.abort(signal?.reason);
    const settle = () => signal?.removeEventListener('abort', onAbort);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(controller) {
        if (!signal) return;
        if (signal.aborted) return controller.abort(signal.reason);
        if (!attempt) signal.addEventListener('abort', onAbort, { once: true });
        attempt = controller;
      },
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        settle();
        const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
        resolve({
          ok: status >= 200 && status < 300,
          status,
          text: async () => text,
          json: async () => JSON.parse(text) as unknown,
        });
      },
      onResponseError(_controller, err) {
        settle();
        reject(err);
      },
    };
    dispatcher.dispatch(
      { origin: target.origin, path: target.pathname + target.search, method: (init.method ?? 'GET') as Dispatcher.HttpMethod, headers: init.headers, body: init.body ?? null },
      handler,
    );
  });
}

/** For grammy's `client.fetch`, typed as the WHATWG fetch; grammy uses only `json()`. */
export const botApiFetch = botApiRequest as NonNullable<ApiClientOptions['fetch']>;
