/**
 * The bot's one HTTP server (node:http): Telegram's webhook, Slack's events/commands/interactivity,
 * the alert API and GET /healthz all hang off one route table, so one port serves every mode.
 *
 * Handlers receive the request with its body already read (bounded by a per-route limit) and
 * return the response to write; errors become JSON (`{"error": code, "message": 中文说明}`), never a
 * stack trace.
 * A handler may resolve before its work is done (Slack wants its ack within 3 s) — the server
 * only writes what the handler returns.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newErrorId } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import type { Logger } from '../log.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** `:name` segments of the matched route pattern. */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The raw body (empty for GET), needed as is for signature checks. */
  body: Buffer;
  /** A header's first value. */
  header(name: string): string | undefined;
  /** The body parsed as JSON; throws HttpError 400 when it is not JSON. */
  json(): unknown;
  /** The body as UTF-8 text. */
  text(): string;
}

export interface HttpResult {
  status: number;
  /** A string is sent as is (text/plain unless headers say otherwise); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResult> | HttpResult;

export interface RouteOptions {
  /** Largest body accepted, in bytes (default 1 MiB); larger gets 413 before the handler runs. */
  bodyLimit?: number;
}

/** Throw from a handler to answer with this status and a JSON error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail?: unknown,
  ) {
    super(code);
    this.name = 'HttpError';
  }
}

/** One component's state in /healthz. `ok: false` makes /healthz answer 503. */
export interface HealthState {
  ok: boolean;
  state: string;
  [k: string]: unknown;
}

export type HealthCheck = () => Promise<HealthState> | HealthState;

interface Route {
  method: string;
  pattern: string;
  match: (path: string) => Record<string, string> | undefined;
  handler: HttpHandler;
  bodyLimit: number;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** A health check slower than this counts as failing, so /healthz itself never hangs. */
const HEALTH_TIMEOUT_MS = 1000;

function compile(pattern: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const re = new RegExp(
    '^' +
      pattern
        .split('/')
        .map((seg) => {
          if (seg.startsWith(':')) {
            names.push(seg.slice(1));
            return '([^/]+)';
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/') +
      '/?$',
  );
  return (path) => {
    const m = re.exec(path);
    if (!m) return undefined;
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(m[i + 1]!);
      } catch {
        // A malformed percent-escape (e.g. %E0%A4%A) is the client's mistake, not a crash.
        throw new HttpError(400, 'bad_path');
      }
    });
    return params;
  };
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new HttpError(413, 'payload_too_large', { limit }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, 'payload_too_large', { limit }));
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.once('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

/**
 * A whole subtree handed to another request handler (an Express app such as the queue
 * dashboard). `guard` runs first and may answer instead (authentication); the handler then sees
 * the URL with the prefix cut off, as a mounted app expects.
 */
export interface Mount {
  prefix: string;
  guard: (req: HttpRequest) => HttpResult | undefined;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export class HttpServer {
  private readonly routes: Route[] = [];
  private readonly mounts: Mount[] = [];
  private readonly health = new Map<string, HealthCheck>();
  private server: Server | undefined;

  constructor(private readonly log: Logger) {
    this.route('GET', '/healthz', async () => {
      const report = await this.healthReport();
      return { status: report.ok ? 200 : 503, body: report };
    });
  }

  /** Add a route; `:name` path segments become `req.params.name`. Later routes never shadow earlier ones. */
  route(method: HttpMethod, pattern: string, handler: HttpHandler, opts: RouteOptions = {}): void {
    this.routes.push({
      method,
      pattern,
      match: compile(pattern),
      handler,
      bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    });
  }

  /** Hand every request under `prefix` (exact or followed by `/`) to `handler`, after `guard`. */
  mount(mount: Mount): void {
    this.mounts.push(mount);
  }

  /** Register a component for /healthz (adapters, Redis, workers). */
  addHealthCheck(name: string, check: HealthCheck): void {
    this.health.set(name, check);
  }

  async healthReport(): Promise<{ ok: boolean; components: Record<string, HealthState> }> {
    const components: Record<string, HealthState> = {};
    await Promise.all(
      [...this.health].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          components[name] = await Promise.race([
            Promise.resolve(check()),
            new Promise<HealthState>((resolve) => {
              timer = setTimeout(() => resolve({ ok: false, state: 'timeout' }), HEALTH_TIMEOUT_MS);
            }),
          ]);
        } catch (e) {
          components[name] = { ok: false, state: 'error', error: e instanceof Error ? e.message : String(e) };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ok: Object.values(components).every((c) => c.ok), components };
  }

  /** Start listening; resolves with the bound port (useful with port 0). */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      // dispatch answers every failure itself; this catch is the last line, so a bug in it can
      // never become an unhandled rejection that ends the process.
      this.dispatch(req, res).catch((err: unknown) => {
        const errorId = newErrorId();
        this.log.error('http dispatch failed', { errorId, err, method: req.method, url: req.url });
        try {
          write(res, { status: 500, body: { error: 'internal', message: msg.http.errors.internal, errorId } });
        } catch {
          res.destroy();
        }
      });
    });
    // Slow or idle clients must not hold sockets forever.
    server.requestTimeout = 30_000;
    server.headersTimeout = 15_000;
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = (server.address() as AddressInfo).port;
    this.log.info('http listening', { host, port: bound });
    return bound;
  }

  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeIdleConnections();
    });
  }

  /** Handle one request; exposed so tests and other transports can drive it directly. */
  async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let path = req.url ?? '/';
    try {
      // Parsing and matching stay inside the try: both can throw on what a client sends.
      const url = new URL(req.url ?? '/', 'http://localhost');
      path = url.pathname;
      const mount = this.mounts.find((m) => url.pathname === m.prefix || url.pathname.startsWith(`${m.prefix}/`));
      if (mount) {
        const headerOf = (name: string) => firstHeader(req.headers, name);
        const denied = mount.guard({
          method,
          path: url.pathname,
          query: url.searchParams,
          params: {},
          headers: req.headers,
          body: Buffer.alloc(0),
          header: headerOf,
          text: () => '',
          json: () => undefined,
        });
        if (denied) return write(res, denied);
        req.url = (req.url ?? '/').slice(mount.prefix.length) || '/';
        if (!req.url.startsWith('/')) req.url = `/${req.url}`;
        mount.handler(req, res);
        return;
      }
      const candidates = this.routes
        .map((r) => ({ r, params: r.match(url.pathname) }))
        .filter((c) => c.params !== undefined);
      const hit = candidates.find((c) => c.r.method === method || (method === 'HEAD' && c.r.method === 'GET'));
      if (!hit) {
        if (candidates.length) {
          throw new HttpError(405, 'method_not_allowed', { allow: [...new Set(candidates.map((c) => c.r.method))] });
        }
        throw new HttpError(404, 'not_found');
      }
      const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, hit.r.bodyLimit);
      const request: HttpRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        params: hit.params!,
        headers: req.headers,
        body,
        header: (name) => firstHeader(req.headers, name),
        text: () => body.toString('utf8'),
        json: () => {
          try {
            return JSON.parse(body.toString('utf8')) as unknown;
          } catch {
            throw new HttpError(400, 'invalid_json');
          }
        },
      };
      const result = await hit.r.handler(request);
      write(res, result);
    } catch (e) {
      if (e instanceof HttpError) {
        const message = msg.http.errors[e.code];
        write(res, {
          status: e.status,
          body: { error: e.code, ...(message ? { message } : {}), ...(e.detail === undefined ? {} : { detail: e.detail }) },
        });
        return;
      }
      const errorId = newErrorId();
      this.log.error('http handler failed', { errorId, err: e, method, path });
      write(res, { status: 500, body: { error: 'internal', message: msg.http.errors.internal, errorId } });
    }
  }
}

function write(res: ServerResponse, result: HttpResult): void {
  if (res.headersSent || res.writableEnded) return;
  const headers: Record<string, string> = { ...(result.headers ?? {}) };
  let payload: string | Buffer | undefined;
  if (result.body === undefined || result.body === null) payload = undefined;
  else if (typeof result.body === 'string' || Buffer.isBuffer(result.body)) {
    payload = result.body;
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
  } else {
    payload = JSON.stringify(result.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json; charset=utf-8';
  }
  res.writeHead(result.status, headers);
  res.end(payload);
}
