// The local end of /ws: the kiosk page's connections. Upgrades arrive here only after the
// guard let them through. The hub enforces the frame limit, keeps each connection alive
// with pings, and never buffers without bound toward a page that stopped reading:
//   - a page a quarter of maxBufferedBytes behind makes the hub "congested": the relay
//     stops reading the uplink (TCP backpressure reaches the upstream) until the page
//     drains (the other three quarters take the frames already read when it stops);
//   - a page that does not drain within STALL_MS, or that still falls maxBufferedBytes
//     behind, is closed (a live page reconnects and starts fresh), so one hung page cannot
//     hold the uplink, and the resets on it, for long.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SUBPROTOCOL } from '../protocol/page.ts';
import { closeSocket } from './close-socket.ts';
import type { Logger } from '../core/logger.ts';

export interface RendererHubOptions {
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
  logger: Logger;
}

export interface RendererHubStats {
  connected: number;
  accepted: number;
  closedOversize: number;
  closedSlow: number;
  closedSilent: number;
}

interface RendererHubEvents {
  connection: [socket: WebSocket];
  message: [data: Buffer, isBinary: boolean, socket: WebSocket];
  /** Some page is far behind: stop feeding it. */
  congested: [];
  /** Every page has caught up (or the laggards were closed): feed them again. */
  relieved: [];
}

/** How long a page may stay behind before it counts as hung and is closed. */
export const STALL_MS = 2000;
const DRAIN_CHECK_MS = 20;

export class RendererHub extends EventEmitter<RendererHubEvents> {
  readonly #options: RendererHubOptions;
  readonly #server: WebSocketServer;
  readonly #alive = new WeakMap<WebSocket, boolean>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #stats: Omit<RendererHubStats, 'connected'> = { accepted: 0, closedOversize: 0, closedSlow: 0, closedSilent: 0 };
  /** Pages behind by more than the high-water mark, with when they fell behind. */
  readonly #behind = new Map<WebSocket, number>();
  #drainTimer: NodeJS.Timeout | undefined;
  /** Each page's TCP socket, corked while one upstream read's frames are written to it. */
  readonly #sockets = new WeakMap<WebSocket, Duplex>();
  /** Bytes written to each page in this tick, held by the cork and not yet the page's fault. */
  readonly #corked = new Map<WebSocket, number>();

  constructor(options: RendererHubOptions) {
    super();
    this.#options = options;
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: true,
      // The guard already required kiosk.v1 among the offers; select it, and only it, so
      // the key subprotocol is never echoed back.
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.#heartbeat = setInterval(() => this.#sweep(), options.heartbeatMs);
    this.#heartbeat.unref();
  }

  get stats(): RendererHubStats {
    return { connected: this.#server.clients.size, ...this.#stats };
  }

  /** Completes an upgrade that the guard accepted. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#server.handleUpgrade(req, socket, head, (ws) => {
      this.#stats.accepted++;
      this.#sockets.set(ws, socket);
      this.#alive.set(ws, true);
      ws.on('pong', () => this.#alive.set(ws, true));
      ws.on('message', (data: Buffer, isBinary) => {
        this.#alive.set(ws, true);
        this.emit('message', data, isBinary, ws);
      });
      ws.on('error', (error: Error & { code?: string }) => {
        // ws closes the connection itself (1009 for an oversized frame); count why.
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.#stats.closedOversize++;
        this.#options.logger.warn({ code: error.code }, 'kiosk page connection error');
      });
      this.emit('connection', ws);
    });
  }

  /** Sends to every page connection. */
  broadcast(text: string): void {
    for (const ws of this.#server.clients) this.send(ws, text);
  }

  send(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    const bytes = Buffer.byteLength(text);
    // What the page left unread from earlier ticks (this tick's writes are still corked).
    const backlog = ws.bufferedAmount - (this.#corked.get(ws) ?? 0);
    if (backlog + bytes > this.#options.maxBufferedBytes) {
      // Dropping frames silently would leave the page inconsistent: close it instead.
      this.#closeSlow(ws);
      return;
    }
    this.#corkUntilNextTick(ws, bytes);
    ws.send(text);
    if (ws.bufferedAmount > this.#options.maxBufferedBytes / 4 && !this.#behind.has(ws)) {
      this.#behind.set(ws, Date.now());
      if (this.#behind.size === 1) {
        this.emit('congested');
        this.#drainTimer = setInterval(() => this.#checkDrain(), DRAIN_CHECK_MS);
      }
    }
  }

  /**
   * The frames of one upstream read arrive in one tick; holding the page's socket corked
   * until the next tick writes them with one system call instead of one each (which was
   * most of the relay's CPU under a flood).
   */
  #corkUntilNextTick(ws: WebSocket, bytes: number): void {
    const socket = this.#sockets.get(ws);
    if (socket === undefined) return;
    const already = this.#corked.get(ws);
    if (already !== undefined) {
      this.#corked.set(ws, already + bytes);
      return;
    }
    socket.cork();
    this.#corked.set(ws, bytes);
    if (this.#corked.size === 1) {
      process.nextTick(() => {
        for (const corkedWs of this.#corked.keys()) this.#sockets.get(corkedWs)?.uncork();
        this.#corked.clear();
      });
    }
  }

  #checkDrain(): void {
    const now = Date.now();
    for (const [ws, since] of this.#behind) {
      if (ws.readyState !== ws.OPEN || ws.bufferedAmount <= this.#options.maxBufferedBytes / 16) this.#behind.delete(ws);
      else if (now - since > STALL_MS) this.#closeSlow(ws);
    }
    if (this.#behind.size > 0) return;
    clearInterval(this.#drainTimer);
    this.#drainTimer = undefined;
    this.emit('relieved');
  }

  #closeSlow(ws: WebSocket): void {
    this.#stats.closedSlow++;
    this.#behind.delete(ws);
    this.#options.logger.warn({ buffered: ws.bufferedAmount }, 'kiosk page fell behind; closing its connection');
    ws.terminate();
  }

  /** Closes every page connection with `code` (1001 when the kiosk shuts down). */
  async close(code = 1001, reason = 'kiosk shutting down'): Promise<void> {
    clearInterval(this.#heartbeat);
    clearInterval(this.#drainTimer);
    this.#behind.clear();
    await Promise.all([...this.#server.clients].map((ws) => closeSocket(ws, code, reason, 500)));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #sweep(): void {
    for (const ws of this.#server.clients) {
      if (this.#alive.get(ws) === false) {
        this.#stats.closedSilent++;
        ws.terminate();
        continue;
      }
      this.#alive.set(ws, false);
      ws.ping();
    }
  }
}
