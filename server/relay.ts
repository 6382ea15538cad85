// The terminating WebSocket relay: the page's connections on one side, the kiosk's one
// uplink on the other, and between them the rules of messages.ts. Resets and the page's
// local.* messages leave the relay as typed events for the kiosk controller.
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import type { RuntimeConfig } from '../core/config/schema.ts';
import type { Logger } from '../core/logger.ts';
import {
  classifyDownstream,
  classifyUpstreamBound,
  type DownstreamVerdict,
  type LocalMessage,
  type ResetCommand,
  type UpstreamVerdict,
} from './messages.ts';
import { RendererHub } from './renderer-hub.ts';
import { Secrets } from '../core/secret-forms.ts';
import { Uplink, type UplinkState } from './uplink.ts';

type DownDrop = Extract<DownstreamVerdict, { kind: 'drop' }>['reason'] | 'contains-secret';
type UpDrop = Extract<UpstreamVerdict, { kind: 'drop' }>['reason'] | 'uplink-down' | 'uplink-backlog';

export interface RelayStats {
  down: { received: number; forwarded: number; resets: number; dropped: Record<DownDrop, number> };
  up: { received: number; forwarded: number; local: number; dropped: Record<UpDrop, number> };
  sentByShell: number;
}

/** What the shell tells the page (local.* is reserved: the upstream cannot send it). */
export type PageMessage =
  | { type: 'local.hello'; kioskId: string; version: string; uplink: UplinkState; idleReturnHomeSeconds: number; hideCursor: boolean }
  | { type: 'local.uplink'; state: UplinkState }
  | { type: 'local.reload'; resetId: string | null };

interface RelayEvents {
  reset: [reset: ResetCommand];
  /** A page's message to the shell, with the page connection's number (1, 2, … in connection order). */
  local: [message: LocalMessage, page: number];
  uplink: [state: UplinkState];
  page: [connected: number];
}

export interface RelayOptions {
  config: RuntimeConfig;
  version: string;
  logger: Logger;
  /** What must never reach the page (by default the two tokens); shared with the logger. */
  secrets?: Secrets;
}

export class Relay extends EventEmitter<RelayEvents> {
  readonly hub: RendererHub;
  readonly uplink: Uplink;
  readonly #config: RuntimeConfig;
  readonly #logger: Logger;
  readonly #version: string;
  readonly #allowUp: ReadonlySet<string>;
  readonly #secrets: Secrets;
  readonly #pageNumbers = new WeakMap<WebSocket, number>();
  #pagesSeen = 0;
  readonly #stats: RelayStats = {
    down: {
      received: 0,
      forwarded: 0,
      resets: 0,
      dropped: { binary: 0, 'not-json': 0, 'bad-reset': 0, 'reserved-type': 0, 'contains-secret': 0 },
    },
    up: {
      received: 0,
      forwarded: 0,
      local: 0,
      dropped: { binary: 0, 'not-json': 0, 'not-allowed': 0, 'bad-local': 0, 'uplink-down': 0, 'uplink-backlog': 0 },
    },
    sentByShell: 0,
  };

  constructor({ config, version, logger, secrets }: RelayOptions) {
    super();
    this.#config = config;
    this.#logger = logger;
    this.#version = version;
    this.#allowUp = new Set(config.relay.allowUp);
    // Neither token may reach the page, whichever upstream echoes it.
    this.#secrets = secrets ?? new Secrets([config.upstream.ws.token, config.upstream.api.token]);
    const { ws } = config.upstream;
    this.uplink = new Uplink({
      url: ws.url,
      tokenHeader: ws.tokenHeader,
      token: ws.token,
      maxPayloadBytes: config.relay.maxPayloadBytes,
      maxBufferedBytes: config.relay.maxBufferedBytes,
      heartbeatMs: ws.heartbeatSeconds * 1000,
      reconnectBaseMs: ws.reconnectBaseMs,
      reconnectCapMs: ws.reconnectCapMs,
      hello: () => ({ type: 'kiosk.hello', kiosk: config.kioskId, groups: config.groups, version }),
      logger,
    });
    this.hub = new RendererHub({
      maxPayloadBytes: config.relay.maxPayloadBytes,
      maxBufferedBytes: config.relay.maxBufferedBytes,
      heartbeatMs: config.relay.heartbeatSeconds * 1000,
      logger,
    });

    this.uplink.on('message', (data, isBinary) => this.#fromUpstream(data, isBinary));
    this.uplink.on('state', (state) => {
      this.hub.broadcast(JSON.stringify({ type: 'local.uplink', state } satisfies PageMessage));
      this.emit('uplink', state);
    });
    this.hub.on('message', (data, isBinary, socket) => this.#fromPage(data, isBinary, this.#pageNumbers.get(socket) ?? 0));
    this.hub.on('connection', (socket) => this.#greet(socket));
    // A page that cannot keep up slows the upstream down instead of being flooded.
    this.hub.on('congested', () => this.uplink.pause());
    this.hub.on('relieved', () => this.uplink.resume());
  }

  /** How many page connections there have been; the next one gets this number + 1. */
  get pagesSeen(): number {
    return this.#pagesSeen;
  }

  get stats(): RelayStats {
    return structuredClone(this.#stats);
  }

  start(): void {
    this.uplink.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.hub.close(1001), this.uplink.stop()]);
  }

  /** Sends one of the shell's own messages (ack, status) upstream; false if the uplink is down. */
  sendUp(message: { type: `kiosk.${string}`; [field: string]: unknown }): boolean {
    const sent = this.uplink.send(JSON.stringify(message)) === 'sent';
    if (sent) this.#stats.sentByShell++;
    return sent;
  }

  /** Tells every connected page something (e.g. reload itself when no window is attached). */
  tellPages(message: PageMessage): void {
    this.hub.broadcast(JSON.stringify(message));
  }

  /**
   * Runs the controller's handlers for a frame. They run inside the socket's receive loop:
   * one that throws must not stall that connection, so the error is logged and contained.
   */
  #dispatch(emit: () => void): void {
    try {
      emit();
    } catch (error) {
      this.#logger.error({ err: error }, 'a relay event handler failed');
    }
  }

  #greet(socket: WebSocket): void {
    this.#pageNumbers.set(socket, ++this.#pagesSeen);
    const hello: PageMessage = {
      type: 'local.hello',
      kioskId: this.#config.kioskId,
      version: this.#version,
      uplink: this.uplink.state,
      idleReturnHomeSeconds: this.#config.idle.returnHomeSeconds,
      hideCursor: this.#config.display.hideCursor,
    };
    this.hub.send(socket, JSON.stringify(hello));
    socket.once('close', () => this.emit('page', this.hub.stats.connected));
    this.emit('page', this.hub.stats.connected);
  }

  #fromUpstream(data: Buffer, isBinary: boolean): void {
    const down = this.#stats.down;
    down.received++;
    const verdict = classifyDownstream(data, isBinary);
    switch (verdict.kind) {
      case 'reset':
        down.resets++;
        this.#dispatch(() => this.emit('reset', verdict.reset));
        return;
      case 'forward':
        // An upstream that echoes the token must not hand it to the page.
        if (this.#secrets.foundIn(verdict.text)) {
          down.dropped['contains-secret']++;
          return;
        }
        down.forwarded++;
        this.hub.broadcast(verdict.text);
        return;
      case 'drop':
        down.dropped[verdict.reason]++;
        return;
    }
  }

  #fromPage(data: Buffer, isBinary: boolean, page: number): void {
    const up = this.#stats.up;
    up.received++;
    const verdict = classifyUpstreamBound(data, isBinary, this.#allowUp);
    switch (verdict.kind) {
      case 'local':
        up.local++;
        this.#dispatch(() => this.emit('local', verdict.message, page));
        return;
      case 'forward': {
        const result = this.uplink.send(verdict.text);
        if (result === 'sent') up.forwarded++;
        else up.dropped[result === 'down' ? 'uplink-down' : 'uplink-backlog']++;
        return;
      }
      case 'drop':
        up.dropped[verdict.reason]++;
        return;
    }
  }
}
