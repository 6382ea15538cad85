// The one long-lived connection from this kiosk to the upstream pub/sub server. It is
// owned by the main side, carries the token header, and lives independently of the page:
// a page reload does not touch it and it keeps running with no page attached.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Logger } from '../core/logger.ts';
import type { UplinkState } from '../protocol/page.ts';
import { Backoff } from './backoff.ts';
import { closeSocket } from './close-socket.ts';

export interface UplinkOptions {
  url: string;
  tokenHeader: string;
  token: string;
  maxPayloadBytes: number;
  /** What may wait in the send queue for an upstream that stopped reading. */
  maxBufferedBytes: number;
  heartbeatMs: number;
  reconnectBaseMs: number;
  reconnectCapMs: number;
  /** The first frame on every new connection (kiosk.hello). */
  hello: () => unknown;
  logger: Logger;
}

export interface UplinkStats {
  state: UplinkState;
  connects: number;
  disconnects: number;
  lastOpenAt: string | null;
  lastMessageAt: string | null;
  /** Why the last attempt or connection failed (an errno code or HTTP status), never a secret. */
  lastError: string | null;
}

interface UplinkEvents {
  state: [state: UplinkState];
  message: [data: Buffer, isBinary: boolean];
}

export class Uplink extends EventEmitter<UplinkEvents> {
  readonly #options: UplinkOptions;
  readonly #backoff: Backoff;
  readonly #stats: UplinkStats = {
    state: 'waiting',
    connects: 0,
    disconnects: 0,
    lastOpenAt: null,
    lastMessageAt: null,
    lastError: null,
  };
  #socket: WebSocket | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #openedAt = 0;
  /** Reading paused because the page cannot keep up (backpressure toward the upstream). */
  #paused = false;

  constructor(options: UplinkOptions) {
    super();
    this.#options = options;
    this.#backoff = new Backoff(options.reconnectBaseMs, options.reconnectCapMs);
  }

  get state(): UplinkState {
    return this.#stats.state;
  }

  get stats(): Readonly<UplinkStats> {
    return { ...this.#stats };
  }

  start(): void {
    if (this.#stats.state !== 'waiting' || this.#socket !== undefined) return;
    this.#connect();
  }

  /**
   * Sends a text frame. 'down' when the uplink is not open; 'backlog' when the upstream has
   * stopped reading and maxBufferedBytes are already queued for it (the frame is dropped
   * rather than held without bound). The caller counts the drop.
   */
  send(text: string): 'sent' | 'down' | 'backlog' {
    const socket = this.#socket;
    if (this.#stats.state !== 'open' || socket?.readyState !== WebSocket.OPEN) return 'down';
    if (socket.bufferedAmount + Buffer.byteLength(text) > this.#options.maxBufferedBytes) return 'backlog';
    socket.send(text);
    return 'sent';
  }

  /** Stops reading from the upstream (its sends then back up in TCP) until resume(). */
  pause(): void {
    this.#paused = true;
    this.#socket?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#socket?.resume();
  }

  /** Closes with 1001 (going away) and stops reconnecting. */
  async stop(): Promise<void> {
    this.#setState('stopped');
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeatTimer);
    if (this.#socket !== undefined) await closeSocket(this.#socket, 1001, 'kiosk shutting down', 1000);
  }

  #connect(): void {
    const { url, tokenHeader, token, maxPayloadBytes, logger } = this.#options;
    this.#setState('connecting');
    const socket = new WebSocket(url, {
      headers: { [tokenHeader]: token },
      maxPayload: maxPayloadBytes,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      followRedirects: false,
    });
    this.#socket = socket;
    let alive = true;
    let refused = false;

    socket.on('open', () => {
      this.#stats.connects++;
      this.#stats.lastOpenAt = new Date().toISOString();
      this.#stats.lastError = null;
      this.#openedAt = Date.now();
      // The hello goes first: whatever the state change makes others send (acks kept while
      // the uplink was down) must follow it.
      socket.send(JSON.stringify(this.#options.hello()));
      this.#setState('open');
      logger.info({ upstream: describeUrl(url), connects: this.#stats.connects }, 'uplink open');
      if (this.#paused) socket.pause();
      this.#heartbeatTimer = setInterval(() => {
        // While we are not reading, pongs wait unread: silence means nothing then.
        if (this.#paused) return;
        // Nothing heard since the last ping (no pong, no message): the peer or the path is gone.
        if (!alive) {
          this.#stats.lastError = 'heartbeat-timeout';
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, this.#options.heartbeatMs);
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('message', (data: Buffer, isBinary) => {
      alive = true;
      this.#stats.lastMessageAt = new Date().toISOString();
      this.emit('message', data, isBinary);
    });
    socket.on('unexpected-response', (request, response) => {
      // The upstream refused the handshake, most often 401/403 for a wrong token.
      refused = true;
      this.#stats.lastError = `HTTP ${response.statusCode ?? 0}`;
      logger.warn({ upstream: describeUrl(url), status: response.statusCode }, 'uplink refused by the upstream (check the token)');
      response.resume();
      request.destroy();
      socket.terminate();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // Terminating after a refused handshake raises an error of its own; the HTTP status
      // recorded just before is the cause worth keeping.
      if (refused) return;
      this.#stats.lastError = error.code ?? 'error';
    });
    socket.on('close', (code) => {
      clearInterval(this.#heartbeatTimer);
      this.#socket = undefined;
      const wasOpen = this.#openedAt > 0;
      if (wasOpen) {
        this.#stats.disconnects++;
        // A connection that stayed up a while was healthy; one dropped at once is the
        // same outage, so its backoff keeps growing.
        if (Date.now() - this.#openedAt >= this.#options.reconnectCapMs) this.#backoff.reset();
        logger.warn({ upstream: describeUrl(url), code, reason: this.#stats.lastError }, 'uplink closed');
      }
      this.#openedAt = 0;
      if (this.#stats.state === 'stopped') return;
      this.#setState('waiting');
      const delay = this.#backoff.next();
      this.#retryTimer = setTimeout(() => {
        if (this.#stats.state === 'waiting') this.#connect();
      }, delay);
    });
  }

  #setState(state: UplinkState): void {
    if (this.#stats.state === state) return;
    this.#stats.state = state;
    this.emit('state', state);
  }
}

/** The upstream's origin and path for logs: no query string, which may carry a secret. */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
