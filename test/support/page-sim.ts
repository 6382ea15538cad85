// A stand-in for the kiosk page in tests that do not need a browser: it connects to /ws
// like the page, shows "content" by sending local.shown, and does what the shell asks of a
// page: reloads itself (a fresh connection) for local.reload and local.clear-session,
// answers local.home with local.done, and shows what local.display says.
import type WebSocket from 'ws';
import type { KioskServer } from '../../server/kiosk-server.ts';
import { Inbox, openPageSocket, waitOpen } from './clients.ts';

export interface SimulatedPageOptions {
  /** Do what the shell asks (default true); false: a hung page that hears and does nothing. */
  obey?: boolean;
}

export class SimulatedPage {
  readonly #server: KioskServer;
  readonly #obey: boolean;
  ws: WebSocket | undefined;
  inbox: Inbox | undefined;
  /** Page loads so far (the first one included). */
  loads = 0;
  /** Times it went home, and wiped its session. */
  homes = 0;
  clears = 0;
  /** What the screen shows, as the shell last said. */
  power: 'on' | 'off' = 'on';

  constructor(server: KioskServer, options: SimulatedPageOptions = {}) {
    this.#server = server;
    this.#obey = options.obey ?? true;
  }

  /** Loads the page: connects and, unless told otherwise, shows content. */
  async load(options: { show?: boolean } = {}): Promise<void> {
    const ws = openPageSocket(this.#server);
    const inbox = new Inbox(ws);
    // The shell speaks as soon as the socket opens: this is the page's socket from now on.
    this.ws = ws;
    this.inbox = inbox;
    ws.on('message', (data: Buffer) => {
      if (!this.#obey || this.ws !== ws) return;
      const message = JSON.parse(data.toString('utf8')) as { type?: string; id?: string; power?: 'on' | 'off' };
      // A reload that races the server's shutdown at the end of a test is of no interest.
      if (message.type === 'local.reload') this.reload().catch(() => undefined);
      if (message.type === 'local.clear-session') {
        this.clears++;
        this.reload().catch(() => undefined);
      }
      if (message.type === 'local.home') {
        this.homes++;
        this.send({ type: 'local.done', id: message.id });
      }
      if (message.type === 'local.display' && message.power !== undefined) this.power = message.power;
    });
    await waitOpen(ws);
    this.loads++;
    if (options.show ?? true) this.send({ type: 'local.shown', home: true });
  }

  async reload(options: { show?: boolean } = {}): Promise<void> {
    this.ws?.terminate();
    await this.load(options);
  }

  send(message: unknown): void {
    this.ws?.send(JSON.stringify(message));
  }

  close(): void {
    this.ws?.terminate();
  }
}
