/**
 * A local HTTP server that plays the Slack Web API (and response_url) for tests: point Bolt at it
 * with `clientOptions.slackApiUrl = fake.apiUrl` (or SLACK_API_URL for a spawned process).
 *
 *   const slack = await startFakeSlack();
 *   const res = await postSigned(botUrl, slashCommandBody({ text: 'pair 大连', responseUrl: slack.responseUrl() }), SECRET);
 *   const post = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C1');
 *   slack.fail({ method: 'chat.postMessage', channel: 'C9', status: 429, retryAfter: 2, times: 1 });
 *   await slack.close();
 *
 * What it answers: auth.test → bot user `UBOT` (bot `BBOT`, team `T1`); chat.postMessage →
 * `{ ok, channel, ts }` with an increasing ts; chat.update → `{ ok, channel, ts }`; any other
 * method → `{ ok: true }`. POSTs to `responseUrl()` paths are recorded as method `response_url`.
 * Files (what `files.uploadV2` does): files.getUploadURLExternal (filename, length) → `{ ok,
 * file_id, upload_url }` with the URL on this server, recorded as method `upload_url` when the
 * bytes are POSTed there (multipart, as the WebClient sends them, or raw); files.completeUploadExternal
 * → `{ ok, files }`, or `file_not_found` for an id never uploaded. `files()` lists every file with
 * its bytes and where it was shared.
 * Socket Mode: apps.connections.open → `{ ok, url: ws://127.0.0.1:PORT/socket/N }`, and the same
 * server accepts the WebSocket there (`socket`, see fake-slack-socket.ts), sending `hello` first.
 * Every call is recorded with its parsed body (form fields, with `blocks`/`attachments` JSON
 * decoded, or the JSON body), its headers, the status given and the time.
 *
 * Faults (`fail`): the first matching rule (method and/or channel) answers instead, `times`
 * times (default: always): 429 with a Retry-After header, 500 (HTTP error), `error` with a Slack
 * error code (`{ ok: false, error }`, HTTP 200, as Slack does), or `network` (socket destroyed).
 *
 * Request helpers build signed Slack → bot requests (slash command, event, block_actions).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSlackSocket } from './fake-slack-socket.ts';
import { type StandInControls, callLog, faultRules } from './stand-in.ts';

export interface SlackCall {
  method: string;
  body: Record<string, any>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  at: number;
}

interface SlackFault {
  method?: string;
  channel?: string;
  status: 429 | 500 | 503 | 'error' | 'network';
  /** Seconds, for 429 (default 1). */
  retryAfter?: number;
  /** Slack error code for `error`, e.g. channel_not_found. */
  error?: string;
  times?: number;
}

/** A file as the stand-in holds it: announced, then uploaded, then completed (shared). */
interface FakeSlackFile {
  id: string;
  filename: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  bytes?: Buffer;
  completed: boolean;
  title?: string;
  channel?: string;
  threadTs?: string;
}

export interface FakeSlack extends StandInControls<SlackCall, SlackFault> {
  /** Give this to Bolt / WebClient as slackApiUrl (ends with `/api/`). */
  apiUrl: string;
  port: number;
  /** A fresh response_url pointing at this server. */
  responseUrl(): string;
  /** Files announced through files.getUploadURLExternal, in order. */
  files(): FakeSlackFile[];
  /** The Socket Mode side: connections made to the URLs apps.connections.open handed out. */
  socket: FakeSlackSocket;
  close(): Promise<void>;
}

export const FAKE_BOT_USER = 'UBOT';

/** The upload URL's body: the file part of a multipart form (the WebClient's way), else the raw bytes. */
async function uploadedBytes(raw: Buffer, contentType: string): Promise<Buffer> {
  if (!contentType.includes('multipart/form-data')) return raw;
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  for (const [, v] of form) if (typeof v !== 'string') return Buffer.from(await v.arrayBuffer());
  return Buffer.alloc(0);
}

function parseBody(raw: string, contentType: string): Record<string, any> {
  if (!raw) return {};
  if (contentType.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, any>;
    } catch {
      return { raw };
    }
  }
  const out: Record<string, any> = Object.fromEntries(new URLSearchParams(raw));
  for (const k of ['blocks', 'attachments', 'files']) {
    if (typeof out[k] === 'string') {
      try {
        out[k] = JSON.parse(out[k]);
      } catch {
        /* leave as sent */
      }
    }
  }
  return out;
}

export async function startFakeSlack(opts: { delayMs?: number } = {}): Promise<FakeSlack> {
  const log = callLog<SlackCall>('fake slack');
  const { record } = log;
  const faults = faultRules<SlackFault>();
  const sockets = new Set<import('node:net').Socket>();
  let delayMs = opts.delayMs ?? 0;
  let tsSeq = 0;
  let port = 0;
  let socketSeq = 0;
  let fileSeq = 0;
  const files = new Map<string, FakeSlackFile>();
  const socket = new FakeSlackSocket();
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const contentType = String(req.headers['content-type'] ?? '');
    const url = req.url ?? '/';
    const method = url.startsWith('/response/')
      ? 'response_url'
      : url.startsWith('/upload/')
        ? 'upload_url'
        : (/^\/api\/([A-Za-z.]+)/.exec(url)?.[1] ?? url);
    const body =
      method === 'upload_url'
        ? { file_id: url.slice('/upload/'.length), bytes: await uploadedBytes(raw, contentType) }
        : parseBody(raw.toString('utf8'), contentType);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const fault = faults.take((f) => (f.method === undefined || f.method === method) && (f.channel === undefined || f.channel === (body.channel ?? body.channel_id)));
    const base = { method, body, headers: req.headers, at: Date.now() };
    if (fault) {
      if (fault.status === 'network') {
        record({ ...base, status: 0 });
        req.socket.destroy();
        return;
      }
      if (fault.status === 429) {
        record({ ...base, status: 429 });
        return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter ?? 1) });
      }
      if (fault.status === 'error') {
        record({ ...base, status: 200 });
        return json(res, 200, { ok: false, error: fault.error ?? 'channel_not_found' });
      }
      record({ ...base, status: fault.status });
      res.writeHead(fault.status, { 'content-type': 'text/plain' });
      res.end('upstream trouble');
      return;
    }
    record({ ...base, status: 200 });
    switch (method) {
      case 'auth.test':
        return json(res, 200, { ok: true, url: 'https://t1.slack.com/', team: 'T', user: 'xiezuo', team_id: 'T1', user_id: FAKE_BOT_USER, bot_id: 'BBOT' });
      case 'chat.postMessage': {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++tsSeq).padStart(6, '0')}`;
        return json(res, 200, { ok: true, channel: body.channel, ts, message: { text: body.text, ts, bot_id: 'BBOT' } });
      }
      case 'apps.connections.open':
        return json(res, 200, { ok: true, url: `ws://127.0.0.1:${port}/socket/${++socketSeq}` });
      case 'chat.update':
        return json(res, 200, { ok: true, channel: body.channel, ts: body.ts, text: body.text });
      case 'response_url':
        return json(res, 200, { ok: true });
      case 'files.getUploadURLExternal': {
        const length = Number(body.length);
        if (!body.filename || !Number.isInteger(length) || length <= 0) return json(res, 200, { ok: false, error: 'invalid_arguments' });
        const id = `F${String(++fileSeq).padStart(6, '0')}`;
        files.set(id, { id, filename: String(body.filename), length, completed: false });
        return json(res, 200, { ok: true, file_id: id, upload_url: `http://127.0.0.1:${port}/upload/${id}` });
      }
      case 'upload_url': {
        const f = files.get(body.file_id);
        if (!f) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          return res.end('no such upload');
        }
        f.bytes = body.bytes as Buffer;
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(`OK - ${f.bytes.length}`);
      }
      case 'files.completeUploadExternal': {
        const wanted = Array.isArray(body.files) ? (body.files as Array<{ id?: string; title?: string }>) : [];
        const found = wanted.map((w) => files.get(String(w.id)));
        if (!wanted.length || found.some((f) => !f?.bytes)) return json(res, 200, { ok: false, error: 'file_not_found' });
        found.forEach((f, i) => {
          f!.completed = true;
          if (wanted[i]!.title) f!.title = wanted[i]!.title;
          if (body.channel_id) f!.channel = String(body.channel_id);
          if (body.thread_ts) f!.threadTs = String(body.thread_ts);
        });
        return json(res, 200, { ok: true, files: found.map((f) => ({ id: f!.id, name: f!.filename, title: f!.title ?? f!.filename, size: f!.bytes!.length })) });
      }
      default:
        return json(res, 200, { ok: true });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { ok: false, error: String(e) });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, sock, head) => {
    if ((req.url ?? '').startsWith('/socket/')) socket.handleUpgrade(req, sock, head);
    else sock.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    port,
    calls: log.calls,
    callsTo: log.callsTo,
    delivered: log.delivered,
    waitForCall: log.waitForCall,
    responseUrl: () => `http://127.0.0.1:${port}/response/${randomUUID()}`,
    fail: faults.fail,
    clearFaults: faults.clearFaults,
    setDelay(ms) {
      delayMs = ms;
    },
    files: () => [...files.values()],
    socket,
    async close() {
      socket.destroyAll();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- Slack → bot requests ------------------------------------------------------------------

export interface SignedOptions {
  /** Seconds since epoch used in the signature (default now). */
  timestamp?: number;
  /** Sign with this secret instead (a wrong one makes a bad signature). */
  signWith?: string;
}

/** Headers Slack would send with `body`, signed with `secret`. */
export function slackHeaders(body: string, secret: string, contentType: string, opts: SignedOptions = {}): Record<string, string> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', opts.signWith ?? secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

/** POST a signed request to the bot's Slack endpoint; returns status and body text. */
export async function postSigned(
  url: string,
  req: { body: string; contentType: string },
  secret: string,
  opts: SignedOptions = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: slackHeaders(req.body, secret, req.contentType, opts), body: req.body });
  return { status: res.status, text: await res.text() };
}

/** A slash command (form-encoded), as Slack posts it. */
export function slashCommandBody(p: { text: string; channel?: string; user?: string; responseUrl: string; command?: string }): {
  body: string;
  contentType: string;
} {
  const form = new URLSearchParams({
    token: 'deprecated',
    team_id: 'T1',
    team_domain: 't1',
    channel_id: p.channel ?? 'C1',
    channel_name: 'hulian',
    user_id: p.user ?? 'U1',
    user_name: 'official',
    command: p.command ?? '/xiezuo',
    text: p.text,
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: p.responseUrl,
    trigger_id: '1.2.3',
  });
  return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
}

/** An Events API callback (JSON) wrapping `event`. */
export function eventBody(event: Record<string, any>): { body: string; contentType: string } {
  return {
    body: JSON.stringify({
      token: 'deprecated',
      team_id: 'T1',
      api_app_id: 'A1',
      event: { event_ts: event.ts, ...event },
      type: 'event_callback',
      event_id: `Ev${randomUUID().slice(0, 8)}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: 'T1', user_id: FAKE_BOT_USER, is_bot: true }],
    }),
    contentType: 'application/json',
  };
}

/** A block_actions payload (form field `payload`) for one button press. */
export function blockActionsBody(p: {
  actionId: string;
  value: string;
  channel?: string;
  user?: string;
  messageTs?: string;
  responseUrl: string;
}): { body: string; contentType: string } {
  const channel = p.channel ?? 'C1';
  const ts = p.messageTs ?? '1700000000.000100';
  const payload = {
    type: 'block_actions',
    user: { id: p.user ?? 'U1', username: 'official', name: 'official', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'deprecated',
    container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
    trigger_id: '1.2.3',
    team: { id: 'T1', domain: 't1' },
    channel: { id: channel, name: 'hulian' },
    message: { type: 'message', ts, bot_id: 'BBOT', text: '…' },
    response_url: p.responseUrl,
    actions: [{ type: 'button', action_id: p.actionId, block_id: 'b1', text: { type: 'plain_text', text: '按钮' }, value: p.value, action_ts: String(Date.now() / 1000) }],
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
}
