// The terminating WebSocket relay: the page's connections on one side, the kiosk's one
// uplink on the other, and between them the rules of protocol/. It exposes two narrow
// ports, never its parts:
//   upstream — the uplink's state, send(), and the commands that arrived (typed, once);
//   pages    — how many pages are connected, the newest connection's generation, tell(),
//              and what the pages told the shell.
// It knows nothing of what the shell does with either: the kiosk side decides.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { RuntimeConfig } from '../core/config/schema.ts';
import type { Logger } from '../core/logger.ts';
import { Secrets } from '../core/secret-forms.ts';
import { PAGE_PROTOCOL_VERSION, parsePageToShell, type PageSettings, type PageToShell, type ShellToPage, type UplinkState } from '../protocol/page.ts';
import {
  classifyPageFrame,
  classifyUpstream,
  type HelloFrame,
  type KioskToUpstream,
  type PageFrameVerdict,
  type UpstreamVerdict,
} from '../protocol/upstream.ts';
import { RendererHub, type RendererHubStats } from './renderer-hub.ts';
import { Uplink, type UplinkStats } from './uplink.ts';

type DownDrop = Extract<UpstreamVerdict, { kind: 'drop' }>['reason'] | 'contains-secret';
type UpDrop = Extract<PageFrameVerdict, { kind: 'drop' }>['reason'] | 'binary' | 'bad-local' | 'uplink-down' | 'uplink-backlog';

export interface RelayStats {
  /** `paused`: how often a page that fell behind made the relay stop reading the uplink. */
  down: { received: number; forwarded: number; commands: number; refused: number; paused: number; dropped: Record<DownDrop, number> };
  up: { received: number; forwarded: number; local: number; dropped: Record<UpDrop, number> };
  sentByShell: number;
}

/** A command from the upstream: one to run, or one refused with the reason its ack will give. */
export type IncomingCommand = Extract<UpstreamVerdict, { kind: 'command' | 'refused' }>;

interface UpstreamEvents {
  state: [state: UplinkState];
  command: [incoming: IncomingCommand];
}

/** The relay's upstream side, as the kiosk uses it. */
export interface UpstreamPort extends EventEmitter<UpstreamEvents> {
  readonly state: UplinkState;
  readonly stats: Readonly<UplinkStats>;
  /** Sends one of the shell's own frames; false when the uplink is down or backed up. */
  send(frame: KioskToUpstream): boolean;
}

interface PagesEvents {
  /** A page's message to the shell, with the generation of the connection it came on. */
  message: [message: PageToShell, generation: number];
  /** A page connected or went away; `connected` pages remain. */
  change: [connected: number];
}

/** The relay's page side, as the kiosk uses it. */
export interface PagesPort extends EventEmitter<PagesEvents> {
  readonly connected: number;
  /** The newest page connection's number (1, 2, … in connection order; 0 before any). */
  readonly generation: number;
  readonly stats: RendererHubStats;
  /** Tells every connected page. */
  tell(message: ShellToPage): void;
}

export interface RelayOptions {
  config: RuntimeConfig;
  logger: Logger;
  /** The first frame on every uplink connection (kiosk.hello). */
  hello: () => HelloFrame;
  /** What every page is told when it connects (the kiosk's settings for it). */
  greet: () => PageSettings;
  /** What must never reach the page (by default the two tokens); shared with the logger. */
  secrets?: Secrets;
}

export class Relay {
  readonly upstream: UpstreamPort;
  readonly pages: PagesPort;
  readonly #uplink: Uplink;
  readonly #hub: RendererHub;
  readonly #stats: RelayStats = {
    down: {
      received: 0,
      forwarded: 0,
      commands: 0,
      refused: 0,
      paused: 0,
      dropped: { binary: 0, 'not-json': 0, 'bad-command': 0, 'reserved-type': 0, 'contains-secret': 0 },
    },
    up: {
      received: 0,
      forwarded: 0,
      local: 0,
      dropped: { binary: 0, 'not-json': 0, 'not-allowed': 0, 'bad-local': 0, 'uplink-down': 0, 'uplink-backlog': 0 },
    },
    sentByShell: 0,
  };

  constructor({ config, logger, hello, greet, secrets: shared }: RelayOptions) {
    const allowUp: ReadonlySet<string> = new Set(config.relay.allowUp);
    // Neither token may reach the page, whichever upstream echoes it, in whatever form.
    const secrets = shared ?? new Secrets([config.upstream.ws.token, config.upstream.api.token]);
    const { ws } = config.upstream;
    const uplink = new Uplink({
      url: ws.url,
      tokenHeader: ws.tokenHeader,
      token: ws.token,
      maxPayloadBytes: config.relay.maxPayloadBytes,
      maxBufferedBytes: config.relay.maxBufferedBytes,
      heartbeatMs: ws.heartbeatSeconds * 1000,
      reconnectBaseMs: ws.reconnectBaseMs,
      reconnectCapMs: ws.reconnectCapMs,
      hello,
      logger,
    });
    const hub = new RendererHub({
      maxPayloadBytes: config.relay.maxPayloadBytes,
      maxBufferedBytes: config.relay.maxBufferedBytes,
      heartbeatMs: config.relay.heartbeatSeconds * 1000,
      logger,
    });
    this.#uplink = uplink;
    this.#hub = hub;
    const stats = this.#stats;
    const upstream = new UpstreamLink(uplink, stats);
    const pages = new PageLinks(hub);
    this.upstream = upstream;
    this.pages = pages;

    /**
     * Runs the kiosk's handlers for a frame. They run inside the socket's receive loop: one
     * that throws must not stall that connection, so the error is logged and contained.
     */
    const dispatch = (emit: () => void) => {
      try {
        emit();
      } catch (error) {
        logger.error({ err: error }, 'a relay event handler failed');
      }
    };

    uplink.on('message', (data, isBinary) => {
      const down = stats.down;
      down.received++;
      if (isBinary) {
        down.dropped.binary++;
        return;
      }
      const text = data.toString('utf8');
      const verdict = classifyUpstream(text);
      switch (verdict.kind) {
        case 'command':
        case 'refused':
          down[verdict.kind === 'command' ? 'commands' : 'refused']++;
          dispatch(() => upstream.emit('command', verdict));
          return;
        case 'forward':
          // An upstream that echoes the token must not hand it to the page.
          if (secrets.foundIn(text)) {
            down.dropped['contains-secret']++;
            return;
          }
          down.forwarded++;
          hub.broadcast(verdict.text);
          return;
        case 'drop':
          down.dropped[verdict.reason]++;
          return;
      }
    });
    uplink.on('state', (state) => {
      pages.tell({ type: 'local.uplink', state });
      dispatch(() => upstream.emit('state', state));
    });

    hub.on('connection', (socket) => {
      pages.opened(socket);
      const { kiosk, version } = hello();
      pages.tellOne(socket, { type: 'local.hello', protocol: PAGE_PROTOCOL_VERSION, kioskId: kiosk, version, uplink: uplink.state, settings: greet() });
      socket.once('close', () => dispatch(() => pages.emit('change', hub.stats.connected)));
      dispatch(() => pages.emit('change', hub.stats.connected));
    });
    hub.on('message', (data, isBinary, socket) => {
      const up = stats.up;
      up.received++;
      if (isBinary) {
        up.dropped.binary++;
        return;
      }
      const verdict = classifyPageFrame(data.toString('utf8'), allowUp);
      switch (verdict.kind) {
        case 'local': {
          const message = parsePageToShell(verdict.message);
          if (message === null) {
            up.dropped['bad-local']++;
            return;
          }
          up.local++;
          dispatch(() => pages.emit('message', message, pages.generationOf(socket)));
          return;
        }
        case 'forward': {
          const result = uplink.send(verdict.text);
          if (result === 'sent') up.forwarded++;
          else up.dropped[result === 'down' ? 'uplink-down' : 'uplink-backlog']++;
          return;
        }
        case 'drop':
          up.dropped[verdict.reason]++;
          return;
      }
    });
    // A page that cannot keep up slows the upstream down instead of being flooded.
    hub.on('congested', () => {
      stats.down.paused++;
      uplink.pause();
    });
    hub.on('relieved', () => uplink.resume());
  }

  get stats(): RelayStats {
    return structuredClone(this.#stats);
  }

  /** Completes a page's upgrade to /ws that the guard let through. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#hub.accept(req, socket, head);
  }

  start(): void {
    this.#uplink.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.#hub.close(1001), this.#uplink.stop()]);
  }
}

class UpstreamLink extends EventEmitter<UpstreamEvents> implements UpstreamPort {
  readonly #uplink: Uplink;
  readonly #stats: RelayStats;

  constructor(uplink: Uplink, stats: RelayStats) {
    super();
    this.#uplink = uplink;
    this.#stats = stats;
  }

  get state(): UplinkState {
    return this.#uplink.state;
  }

  get stats(): Readonly<UplinkStats> {
    return this.#uplink.stats;
  }

  send(frame: KioskToUpstream): boolean {
    const sent = this.#uplink.send(JSON.stringify(frame)) === 'sent';
    if (sent) this.#stats.sentByShell++;
    return sent;
  }
}

class PageLinks extends EventEmitter<PagesEvents> implements PagesPort {
  readonly #hub: RendererHub;
  readonly #generations = new WeakMap<WebSocket, number>();
  #generation = 0;

  constructor(hub: RendererHub) {
    super();
    this.#hub = hub;
  }

  get connected(): number {
    return this.#hub.stats.connected;
  }

  get generation(): number {
    return this.#generation;
  }

  get stats(): RendererHubStats {
    return this.#hub.stats;
  }

  tell(message: ShellToPage): void {
    this.#hub.broadcast(JSON.stringify(message));
  }

  tellOne(socket: WebSocket, message: ShellToPage): void {
    this.#hub.send(socket, JSON.stringify(message));
  }

  opened(socket: WebSocket): number {
    this.#generations.set(socket, ++this.#generation);
    return this.#generation;
  }

  generationOf(socket: WebSocket): number {
    return this.#generations.get(socket) ?? 0;
  }
}
