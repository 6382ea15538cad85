// A stand-in for the kiosk page in tests that do not need a browser: it connects to /ws
// like the page, shows "content" by sending local.shown, and reloads itself (a fresh
// connection) when the shell says local.reload — or when a test's shell tells it to.
import type WebSocket from 'ws';
import type { KioskServer } from '../../server/kiosk-server.ts';
import { Inbox, openPageSocket, waitOpen } from './clients.ts';

export class SimulatedPage {
  readonly #server: KioskServer;
  readonly #reloadOnRequest: boolean;
  ws: WebSocket | undefined;
  inbox: Inbox | undefined;
  /** Page loads so far (the first one included). */
  loads = 0;

  constructor(server: KioskServer, options: { reloadOnRequest?: boolean } = {}) {
    this.#server = server;
    this.#reloadOnRequest = options.reloadOnRequest ?? true;
  }

  /** Loads the page: connects and, unless told otherwise, shows content. */
  async load(options: { show?: boolean } = {}): Promise<void> {
    const ws = openPageSocket(this.#server);
    const inbox = new Inbox(ws);
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type?: string };
      // A reload that races the server's shutdown at the end of a test is of no interest.
      if (message.type === 'local.reload' && this.#reloadOnRequest) this.reload().catch(() => undefined);
    });
    await waitOpen(ws);
    this.ws = ws;
    this.inbox = inbox;
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
