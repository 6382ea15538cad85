// A real upstream pub/sub WebSocket server for tests: it demands the token header (401
// otherwise), records every TCP connection, handshake and message, and can be killed and
// restarted on the same port.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsUpstreamOptions {
  tokenHeader?: string;
  token: string;
  port?: number;
}

/** One accepted kiosk connection, as the upstream saw it. */
export interface UpstreamConnection {
  headers: IncomingHttpHeaders;
  /** Text frames received on this connection, in order. */
  received: string[];
  /** The close code the upstream saw, once the connection closed. */
  closeCode?: number;
  ws: WebSocket;
}

export class WsUpstream {
  readonly tokenHeader: string;
  readonly token: string;
  port = 0;
  /** TCP connections ever accepted, authenticated or not. */
  tcpConnections = 0;
  /** Handshake headers of every accepted WebSocket. */
  readonly handshakes: IncomingHttpHeaders[] = [];
  readonly refusedHandshakes: IncomingHttpHeaders[] = [];
  /** Every text frame received, in order. */
  readonly received: string[] = [];
  readonly clients = new Set<WebSocket>();
  /** Every accepted connection, oldest first, with what it received and how it closed. */
  readonly connections: UpstreamConnection[] = [];
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  readonly #sockets = new Set<Socket>();
  #waiters: (() => void)[] = [];

  constructor(options: WsUpstreamOptions) {
    this.tokenHeader = (options.tokenHeader ?? 'Authorization').toLowerCase();
    this.token = options.token;
    this.port = options.port ?? 0;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws/kiosk/`;
  }

  async start(): Promise<this> {
    const http = createServer((req, res) => res.writeHead(426).end());
    const wss = new WebSocketServer({ noServer: true });
    http.on('connection', (socket: Socket) => {
      this.tcpConnections++;
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    http.on('upgrade', (req, socket, head) => {
      if (req.headers[this.tokenHeader] !== this.token) {
        this.refusedHandshakes.push(req.headers);
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        this.handshakes.push(req.headers);
        this.clients.add(ws);
        const connection: UpstreamConnection = { headers: req.headers, received: [], ws };
        this.connections.push(connection);
        ws.on('message', (data: Buffer, isBinary) => {
          if (!isBinary) {
            this.received.push(data.toString('utf8'));
            connection.received.push(data.toString('utf8'));
          }
          this.#notify();
        });
        ws.on('close', (code) => {
          connection.closeCode = code;
          this.clients.delete(ws);
          this.#notify();
        });
        ws.on('error', () => undefined);
        this.#notify();
      });
    });
    await new Promise<void>((resolve) => http.listen(this.port, '127.0.0.1', resolve));
    this.port = (http.address() as AddressInfo).port;
    this.#http = http;
    this.#wss = wss;
    return this;
  }

  /** Sends a frame to every connected kiosk. */
  broadcast(data: string | Buffer, options: { binary?: boolean } = {}): void {
    for (const ws of this.clients) ws.send(data, { binary: options.binary ?? false });
  }

  /**
   * Stops reading every open connection: the upstream goes silent (no pongs, no frames)
   * while its TCP connections stay up, like a hung server or a dead path.
   */
  pauseAll(): void {
    for (const ws of this.clients) ws.pause();
  }

  /** Drops every connection at once (no close handshake) and stops listening. */
  async kill(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => (this.#http ? this.#http.close(() => resolve()) : resolve()));
    this.#wss?.close();
    this.#http = undefined;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** Resolves once `predicate` holds, re-checked after every event; rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`upstream: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  messagesOfType(type: string): Record<string, unknown>[] {
    return this.received
      .map((text) => {
        try {
          return JSON.parse(text) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      })
      .filter((m): m is Record<string, unknown> => m?.type === type);
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
