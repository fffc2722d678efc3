/**
 * The server side of Slack's Socket Mode WebSocket, for tests, on a plain node:http `upgrade`
 * event. No WebSocket server package is installed (@slack/socket-mode connects with undici's
 * client), so this implements the few parts of RFC 6455 a Socket Mode session uses: the opening
 * handshake, unmasked text frames out, masked (possibly fragmented) text frames in, ping → pong,
 * and the close handshake. No extensions (permessage-deflate is not accepted, so the client
 * sends plain frames) and no subprotocols.
 *
 *   const sm = new FakeSlackSocket();
 *   server.on('upgrade', (req, socket, head) => sm.handleUpgrade(req, socket, head));
 *   const peer = await sm.waitForPeer();          // Slack's `hello` has already been sent
 *   peer.sendJson({ envelope_id: 'e1', type: 'slash_commands', payload: {...} });
 *   const ack = await sm.waitForMessage((m) => m.envelope_id === 'e1');
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** Nothing a test sends or receives comes near this; bigger frames mean a broken peer. */
const MAX_FRAME = 1 << 20;

/** One server frame: FIN set, never masked (RFC 6455 §5.1: servers must not mask). */
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : (() => {
            const h = Buffer.alloc(10);
            h[0] = 0x80 | opcode;
            h[1] = 127;
            h.writeBigUInt64BE(BigInt(len), 2);
            return h;
          })();
  return Buffer.concat([head, payload]);
}

export interface SocketPeer {
  /** The path the client connected to (the URL apps.connections.open handed out). */
  path: string;
  /** Text messages received, parsed as JSON when they are JSON (Socket Mode acks are). */
  received: unknown[];
  /** Pings the client sent (undici's heartbeat); each was answered with a pong. */
  pings: number;
  closed: boolean;
  sendText(text: string): void;
  sendJson(value: unknown): void;
  /** Start the close handshake (1000) and end the connection. */
  close(code?: number): void;
}

export class FakeSlackSocket {
  readonly peers: SocketPeer[] = [];
  private readonly sockets = new Set<Duplex>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly opts: { hello?: boolean } = {}) {}

  /** Handle one HTTP upgrade request: handshake, then frames until either side closes. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const key = req.headers['sec-websocket-key'];
    if (
      String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket' ||
      typeof key !== 'string' ||
      req.headers['sec-websocket-version'] !== '13'
    ) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    this.sockets.add(socket);

    let closed = false;
    const write = (opcode: number, payload: Buffer) => {
      if (!closed && socket.writable) socket.write(encodeFrame(opcode, payload));
    };
    const peer: SocketPeer = {
      path: req.url ?? '/',
      received: [],
      pings: 0,
      get closed() {
        return closed;
      },
      sendText: (text) => write(OP_TEXT, Buffer.from(text, 'utf8')),
      sendJson: (value) => write(OP_TEXT, Buffer.from(JSON.stringify(value), 'utf8')),
      close: (code = 1000) => {
        const body = Buffer.alloc(2);
        body.writeUInt16BE(code, 0);
        write(OP_CLOSE, body);
        closed = true;
        socket.end();
      },
    };
    const finish = () => {
      closed = true;
      this.sockets.delete(socket);
      this.notify();
    };
    socket.on('close', finish);
    socket.on('error', finish);

    let buf: Buffer = head.length ? Buffer.from(head) : Buffer.alloc(0);
    let fragments: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const frame = readFrame(buf);
        if (frame === 'incomplete') return;
        if (frame === 'invalid') {
          // Unmasked client frame or absurd length: protocol error (1002), as the RFC asks.
          peer.close(1002);
          return;
        }
        buf = buf.subarray(frame.size);
        if (frame.opcode === OP_PING) {
          peer.pings++;
          write(OP_PONG, frame.payload);
        } else if (frame.opcode === OP_CLOSE) {
          // Echo the close (same code) and end: the client's close handshake completes at once.
          if (!closed) write(OP_CLOSE, frame.payload.subarray(0, 2));
          closed = true;
          socket.end();
          return;
        } else if (frame.opcode === OP_TEXT || frame.opcode === OP_BINARY || frame.opcode === OP_CONTINUATION) {
          fragments.push(frame.payload);
          if (!frame.fin) continue;
          const text = Buffer.concat(fragments).toString('utf8');
          fragments = [];
          let value: unknown = text;
          try {
            value = JSON.parse(text);
          } catch {
            /* keep the text */
          }
          peer.received.push(value);
          this.notify();
        }
        // Pongs (answers to our pings, which we never send) are ignored.
      }
    };
    socket.on('data', onData);
    this.peers.push(peer);
    // Slack's first message on every connection; the client's start() waits for it.
    if (this.opts.hello !== false) {
      peer.sendJson({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-slack', approximate_connection_time: 3600 }, connection_info: { app_id: 'A1' } });
    }
    this.notify();
  }

  /** The first peer (in connection order) not yet closed, now or when one connects. */
  waitForPeer(timeoutMs = 10_000): Promise<SocketPeer> {
    return this.waitFor(() => this.peers.find((p) => !p.closed), timeoutMs, 'no Socket Mode connection');
  }

  /** The first message any peer sent that matches, now or when it arrives. */
  waitForMessage(match: (m: any) => boolean, timeoutMs = 10_000): Promise<any> {
    return this.waitFor(
      () => {
        for (const p of this.peers) for (const m of p.received) if (match(m)) return { value: m };
        return undefined;
      },
      timeoutMs,
      'no matching Socket Mode message',
    ).then((r) => r.value);
  }

  /** Drop every connection without a close handshake. */
  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v === undefined) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`fake slack socket: ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }
}

type Frame = { fin: boolean; opcode: number; payload: Buffer; size: number };

/** Parse one client frame at the start of `b` (RFC 6455 §5.2); clients must mask. */
function readFrame(b: Buffer): Frame | 'incomplete' | 'invalid' {
  if (b.length < 2) return 'incomplete';
  const fin = (b[0]! & 0x80) !== 0;
  const opcode = b[0]! & 0x0f;
  const masked = (b[1]! & 0x80) !== 0;
  if (!masked) return 'invalid';
  let len = b[1]! & 0x7f;
  let off = 2;
  if (len === 126) {
    if (b.length < 4) return 'incomplete';
    len = b.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (b.length < 10) return 'incomplete';
    const big = b.readBigUInt64BE(2);
    if (big > BigInt(MAX_FRAME)) return 'invalid';
    len = Number(big);
    off = 10;
  }
  if (len > MAX_FRAME) return 'invalid';
  if (b.length < off + 4 + len) return 'incomplete';
  const mask = b.subarray(off, off + 4);
  const payload = Buffer.alloc(len);
  for (let i = 0; i < len; i++) payload[i] = b[off + 4 + i]! ^ mask[i & 3]!;
  return { fin, opcode, payload, size: off + 4 + len };
}
