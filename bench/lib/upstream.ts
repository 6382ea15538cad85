// The bench's upstream: a pub/sub WebSocket server and a content API that each demand
// their token header, like a real site's. It answers the bench protocol:
//   bench.ping {seq, pad}  → bench.pong {seq, pad} of the same size, to the sender;
//   bench.flood {n, size}  → n bench.data frames of `size` bytes to the sender, written
//                            as fast as the connection drains (TCP backpressure);
// and can publish at a fixed rate, drop every connection, and stop and listen again on
// the same port.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { demoEvents, demoOffices } from '../../kiosk/demo/content.ts';

const PING_PREFIX = '{"type":"bench.ping"';

export interface BenchUpstreamOptions {
  wsToken: string;
  apiToken: string;
  port?: number;
  /** Largest frame accepted from a kiosk (the relay's own default is 64 KiB). */
  maxPayload?: number;
}

export interface UpstreamStats {
  port: number;
  listening: boolean;
  clients: number;
  accepted: number;
  refused: number;
  hellos: number;
  received: number;
  apiRequests: number;
}

/** A JSON text of exactly `size` bytes: `{"type":TYPE,<fields>,"pad":"xxx…"}`. */
export function sizedMessage(type: string, fields: Record<string, number>, size: number): string {
  const head = JSON.stringify({ type, ...fields, pad: '' });
  const padding = size - Buffer.byteLength(head);
  if (padding < 0) throw new Error(`a ${type} message cannot be as small as ${size} bytes`);
  return `${head.slice(0, -2)}${'x'.repeat(padding)}"}`;
}

export class BenchUpstream {
  readonly #options: BenchUpstreamOptions;
  #port: number;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  readonly #sockets = new Set<Socket>();
  readonly clients = new Set<WebSocket>();
  readonly #stats = { accepted: 0, refused: 0, hellos: 0, received: 0, apiRequests: 0 };
  #waiters: (() => void)[] = [];
  /** Called for every text frame a kiosk sends (after the bench's own handling). */
  onText: ((text: string, ws: WebSocket) => void) | undefined;
  /** Takes over an authenticated upgrade when it returns true (the fuzzer's raw upstream). */
  rawUpgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => boolean) | undefined;

  constructor(options: BenchUpstreamOptions) {
    this.#options = options;
    this.#port = options.port ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.#port}/ws/kiosk/`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api/`;
  }

  stats(): UpstreamStats {
    return { port: this.#port, listening: this.#http !== undefined, clients: this.clients.size, ...this.#stats };
  }

  async start(): Promise<number> {
    const { wsToken, apiToken } = this.#options;
    const events = JSON.stringify(demoEvents());
    const offices = JSON.stringify(demoOffices);
    const http = createServer((req, res) => {
      this.#stats.apiRequests++;
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (!path.startsWith('/api/')) {
        res.writeHead(426).end();
        return;
      }
      if (req.headers.authorization !== apiToken) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"Authentication credentials were not provided."}');
        return;
      }
      const body = path === '/api/events/' ? events : path === '/api/offices/' ? offices : '{"ok":true}';
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
    });
    http.keepAliveTimeout = 5000;
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: this.#options.maxPayload ?? 1024 * 1024 });
    http.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    http.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      if (req.headers.authorization !== wsToken || (req.url ?? '').split('?')[0] !== '/ws/kiosk/') {
        this.#stats.refused++;
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (this.rawUpgrade?.(req, socket, head) === true) {
        this.#stats.accepted++;
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen({ port: this.#port, host: '127.0.0.1', backlog: 4096 }, () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.#port = (http.address() as AddressInfo).port;
    this.#http = http;
    this.#wss = wss;
    return this.#port;
  }

  /** Drops every connection at once (no close handshake) and stops listening. */
  async stop(): Promise<void> {
    const http = this.#http;
    this.#http = undefined;
    for (const ws of this.clients) ws.terminate();
    for (const socket of this.#sockets) socket.destroy();
    this.clients.clear();
    this.#wss?.close();
    if (http !== undefined) await new Promise<void>((resolve) => http.close(() => resolve()));
  }

  /** Drops every open kiosk connection: `terminate` cuts TCP, `close` does the close handshake. */
  drop(mode: 'terminate' | 'close' = 'terminate'): number {
    const count = this.clients.size;
    for (const ws of this.clients) {
      if (mode === 'terminate') ws.terminate();
      else ws.close(1012, 'service restart');
    }
    return count;
  }

  /** Sends `text` to every kiosk. */
  broadcast(text: string): number {
    for (const ws of this.clients) ws.send(text);
    return this.clients.size;
  }

  /** Publishes `rate` frames per second of `size` bytes to every kiosk for `seconds`. */
  async publish(rate: number, seconds: number, size: number): Promise<{ sent: number }> {
    const tickMs = 10;
    const started = performance.now();
    let sent = 0;
    const total = Math.round(rate * seconds);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
        while (sent < due) {
          this.broadcast(sizedMessage('bench.tick', { i: sent % 100000 }, size));
          sent++;
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
    });
    return { sent };
  }

  /** Resolves once `predicate` holds, re-checked after every event. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`bench upstream: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #accept(ws: WebSocket): void {
    this.#stats.accepted++;
    this.clients.add(ws);
    ws.on('message', (data: Buffer, isBinary) => {
      this.#stats.received++;
      if (isBinary) return;
      const text = data.toString('utf8');
      this.#handle(text, ws);
      this.onText?.(text, ws);
      this.#notify();
    });
    ws.on('close', () => {
      this.clients.delete(ws);
      this.#notify();
    });
    ws.on('error', () => undefined);
    this.#notify();
  }

  #handle(text: string, ws: WebSocket): void {
    // The bench's frames are recognised by their prefix; parsing is only for the rest.
    if (text.startsWith(PING_PREFIX)) {
      ws.send(`{"type":"bench.pong"${text.slice(PING_PREFIX.length)}`);
      return;
    }
    let message: { type?: unknown; n?: unknown; size?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.type === 'kiosk.hello') this.#stats.hellos++;
    else if (message.type === 'bench.flood' && typeof message.n === 'number' && typeof message.size === 'number') {
      void flood(ws, message.n, message.size);
    }
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Writes `n` frames of `size` bytes as fast as the peer drains them: a batch of about
 * 256 KiB is handed to the socket, and the next one only once the batch before it has
 * been flushed to the kernel (two batches in flight keep the pipe full).
 */
async function flood(ws: WebSocket, n: number, size: number): Promise<void> {
  const frame = Buffer.from(sizedMessage('bench.data', {}, size));
  const perBatch = Math.max(1, Math.floor((256 * 1024) / size));
  let previous: Promise<void> = Promise.resolve();
  let sent = 0;
  while (sent < n && ws.readyState === ws.OPEN) {
    const count = Math.min(perBatch, n - sent);
    let flushed!: () => void;
    const batch = new Promise<void>((resolve) => (flushed = resolve));
    for (let i = 0; i < count; i++) ws.send(frame, { binary: false }, i === count - 1 ? () => flushed() : undefined);
    sent += count;
    await previous;
    previous = batch;
  }
  await previous;
}
