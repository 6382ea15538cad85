// The page's line to the shell over /ws. It reconnects for as long as the page lives
// (capped exponential backoff, full jitter), tells the shell once per page load that
// content is on screen (local.shown), proves the page is alive and not blank with a
// heartbeat every five seconds, says whether a visitor is using the kiosk (local.in-use, on
// each change and again after each reconnect), and answers the shell: a visitor's input
// (local.activity, what a shell without a window goes by) and a request carried out
// (local.done).
import { KEY_SUBPROTOCOL_PREFIX, parseShellToPage, type PageToShell, type ShellToPage, SUBPROTOCOL } from '../protocol/page.ts';
import { type BackoffPolicy, backoffDelay, SOCKET_BACKOFF } from './backoff.ts';
import { type TimerHandle, type Timers } from './timers.ts';

export const HEARTBEAT_MS = 5_000;
/** Input is reported at most this often (the shell needs "recently", not every touch). */
const ACTIVITY_EVERY_MS = 1_000;
/** A connection attempt that neither opens nor fails in this long is abandoned. */
const CONNECT_TIMEOUT_MS = 10_000;
const OPEN = 1;

export type SocketState = 'connecting' | 'open' | 'retrying';

/** The part of the browser's WebSocket this module uses. */
export type SocketLike = Pick<WebSocket, 'readyState' | 'send' | 'close' | 'onopen' | 'onclose' | 'onerror' | 'onmessage'>;

export interface ShellLinkOptions {
  url: string;
  key: string;
  createSocket: (url: string, protocols: string[]) => SocketLike;
  timers: Timers;
  /** Is real content on screen right now? Read for every heartbeat. */
  isShown: () => boolean;
  /** The shell's own messages (local.*). */
  onShell: (message: ShellToPage) => void;
  /** Everything else the relay forwarded from the upstream, as JSON objects. */
  onUpstream: (message: Record<string, unknown>) => void;
  onSocketState: (state: SocketState) => void;
  random?: () => number;
  heartbeatMs?: number;
  backoff?: BackoffPolicy;
}

export function socketUrl(host: string): string {
  return `ws://${host}/ws`;
}

export class ShellLink {
  readonly #options: ShellLinkOptions;
  #socket: SocketLike | null = null;
  #retryTimer: TimerHandle | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #connectTimer: TimerHandle | undefined;
  #attempt = 0;
  #running = false;
  /** local.shown: 'pending' until content is shown, then 'due' until it is sent once. */
  #shown: 'pending' | { home: boolean } | 'sent' = 'pending';
  #lastActivity = Number.NEGATIVE_INFINITY;
  /** The last in-use state the page reported; null until the first report. */
  #inUse: boolean | null = null;

  constructor(options: ShellLinkOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    this.#clearTimers();
    this.#options.timers.clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#socket = null;
    if (socket !== null) {
      detach(socket);
      try {
        socket.close(1000, 'page closing');
      } catch {
        // already closed
      }
    }
  }

  /** Content from the API is on screen for the first time in this page load. */
  contentShown(home: boolean): void {
    if (this.#shown !== 'pending') return;
    this.#shown = { home };
    this.#flushShown();
  }

  /** A visitor touched or typed. */
  activity(): void {
    const now = this.#options.timers.now();
    if (now - this.#lastActivity < ACTIVITY_EVERY_MS) return;
    if (this.#send({ type: 'local.activity' })) this.#lastActivity = now;
  }

  /** A shell request with an id (local.home) is carried out. */
  done(id: string): void {
    this.#send({ type: 'local.done', id });
  }

  /** One of the page's own frames for the upstream (the relay forwards only relay.allowUp types). */
  sendUp(message: Record<string, unknown>): boolean {
    return this.#send(message);
  }

  /** Is a visitor using the kiosk? Sent when it changes, and again after each reconnect. */
  inUse(value: boolean): void {
    if (value === this.#inUse) return;
    this.#inUse = value;
    this.#send({ type: 'local.in-use', inUse: value });
  }

  #connect(): void {
    if (!this.#running) return;
    const { createSocket, url, key, timers } = this.#options;
    this.#options.onSocketState(this.#attempt === 0 ? 'connecting' : 'retrying');
    let socket: SocketLike;
    try {
      socket = createSocket(url, [SUBPROTOCOL, KEY_SUBPROTOCOL_PREFIX + key]);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    this.#connectTimer = timers.setTimeout(() => {
      if (this.#socket === socket && socket.readyState !== OPEN) this.#lost(socket);
    }, CONNECT_TIMEOUT_MS);
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      timers.clearTimeout(this.#connectTimer);
      this.#options.onSocketState('open');
      this.#flushShown();
      if (this.#inUse !== null) this.#send({ type: 'local.in-use', inUse: this.#inUse });
      this.#beat();
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.#socket !== socket) return;
      const message = parseShellToPage(event.data);
      if (message === null) {
        const upstream = upstreamMessageOf(event.data);
        if (upstream !== null) this.#options.onUpstream(upstream);
        return;
      }
      // The shell greets every accepted connection: only then is the link really up,
      // and only then does the backoff start over.
      if (message.type === 'local.hello') this.#attempt = 0;
      this.#options.onShell(message);
    };
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.#socket === socket) this.#lost(socket);
    };
  }

  #lost(socket: SocketLike): void {
    detach(socket);
    try {
      socket.close();
    } catch {
      // already closed
    }
    this.#socket = null;
    this.#clearTimers();
    if (!this.#running) return;
    this.#options.onSocketState('retrying');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const { timers, backoff = SOCKET_BACKOFF, random = Math.random } = this.#options;
    const delay = backoffDelay(this.#attempt, backoff, random);
    this.#attempt++;
    this.#retryTimer = timers.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delay);
  }

  #beat(): void {
    const { timers, heartbeatMs = HEARTBEAT_MS } = this.#options;
    this.#send({ type: 'local.heartbeat', shown: this.#options.isShown() });
    this.#heartbeatTimer = timers.setTimeout(() => this.#beat(), heartbeatMs);
  }

  #flushShown(): void {
    const shown = this.#shown;
    if (shown === 'pending' || shown === 'sent') return;
    if (this.#send({ type: 'local.shown', home: shown.home })) this.#shown = 'sent';
  }

  #send(message: PageToShell | Record<string, unknown>): boolean {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== OPEN) return false;
    try {
      socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  #clearTimers(): void {
    const { timers } = this.#options;
    timers.clearTimeout(this.#heartbeatTimer);
    timers.clearTimeout(this.#connectTimer);
    this.#heartbeatTimer = undefined;
    this.#connectTimer = undefined;
  }
}

function detach(socket: SocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onerror = null;
  socket.onclose = null;
}

/** A frame the relay forwarded from the upstream: a JSON object (anything else is nothing). */
function upstreamMessageOf(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'string' || data.length > 1_048_576) return null;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
