// Simulated kiosks for the Django backend's tests and benches: each speaks the brief's
// wire protocol with the `ws` package directly (no kiosk code), so the backend is tested
// against the contract, not against one implementation of it.
//
// A SimKiosk connects with `Authorization: Token <token>`, says hello on every open,
// answers every kiosk.reset (with an id) and kiosk.command targeted at it with one terminal
// ack (reloaded for a reset, done otherwise; a screenshot first sends a kiosk.screenshot),
// answers an id it has seen with its stored terminal ack, answers `expired` past expiresAt,
// `ignored`/`not-targeted` for frames aimed elsewhere, and reconnects after a close, to the
// next of its URLs (a second worker). Every frame it receives is kept, with the time.
import WebSocket from 'ws';

/** A 64x36 JPEG, as Chromium writes one (the Django tests use the same bytes). */
export const JPEG_64x36_BASE64 =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAA' +
  'AAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNj' +
  'AAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAAB' +
  'ZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAA' +
  't4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABt' +
  'bHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEycc' +
  'HhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09P' +
  'T09PT09PT09PT09PT09PT09PT09PT0//wAARCAAkAEADASIAAhEBAxEB/8QAGAABAAMBAAAAAAAAAAAAAAAABAADBQb/xAArEAABAwQABQIGAwAAAAAA' +
  'AAACAAEDBAUREgYTITFRFEEHFSIygaFhYnH/xAAWAQEBAQAAAAAAAAAAAAAAAAAEBQb/xAAZEQADAQEBAAAAAAAAAAAAAAAAAgMBESH/2gAMAwEAAhED' +
  'EQA/AB2ew3C7C50sTNEL4eQ3wOfH8plx4crrXTeonKA4tmF3jPOH/LMtq4NK3w9ovl+2mAebTxh9s4/t3XJRc7knpvystvjOufbKU7a3dD5mZ4atfZqm' +
  '200E85xEM/2sDu7t0z1yyua0VAWgbk5xckuw5fbvjxj9rpbzJbY7XQPdIJpRcW0aN8YfVu/VlXcSpj4OEqIDCB3bQT7t9f8Ar+6DTO9EL4csCQCOCQCk' +
  '2FoXgkAjgkAplhiHPWbiG4WiN4qYwKInzy5GyzP5b3ZKuPEdddKb08wQRxbMTtEDtl/y7rABIBbmq53pnkbecNmvvNTcqaCCcIhGD7XBnZ36Y65dXNd6' +
  'g7QNtcIuSPYsPt3z5x+ljgkAp1d4KQQCQCOCQClWFoXgkAjgkAplhiHEgkAoot3YzqF4JAKKKXYWggEgFFFLsLQvBIBRRTLDEP/Z';

export type Target = 'all' | { kiosks?: string[]; groups?: string[] };

export interface CommandFrame {
  type: 'kiosk.reset' | 'kiosk.command';
  id?: string;
  command?: string;
  target?: Target;
  args?: Record<string, unknown>;
  when?: string;
  expiresAt?: string;
  reason?: string;
}

export interface Ack {
  type: 'kiosk.ack';
  id: string;
  kiosk: string;
  command: string;
  status: string;
  ms: number;
  reason?: string;
  waitingFor?: string;
}

export interface Received {
  at: number;
  connection: number;
  frame: CommandFrame;
}

export interface SimKioskOptions {
  id: string;
  token: string;
  /** Connected in turn: a close moves the kiosk to the next one (another worker). */
  urls: string[];
  groups?: string[];
  version?: string;
  /** Before reconnecting after a close (ms); the default is 100. */
  reconnectDelayMs?: number;
  /**
   * Reconnect as the kiosk does instead (server/backoff.ts, its defaults 4000/8000): full
   * jitter, each delay uniform in [0, min(capMs, baseMs * 2^failures)), reset by an open.
   */
  reconnectBackoff?: { baseMs: number; capMs: number };
  /** Answers a command after this long (ms); 0 answers at once. */
  answerDelayMs?: number;
  /** Commands with `when: "idle"` are accepted (waitingFor idle) and then never run. */
  neverIdle?: boolean;
  /** Never answers anything: a kiosk whose ack is lost. */
  mute?: boolean;
  /** Sends kiosk.status every so many ms (0: never). */
  statusEveryMs?: number;
}

export class SimKiosk {
  readonly id: string;
  readonly received: Received[] = [];
  /** Terminal acks sent, by id: what a resend of that id gets again. */
  readonly answered = new Map<string, Ack>();
  /** When each terminal ack was first sent (epoch ms). */
  readonly answeredAt = new Map<string, number>();
  connections = 0;
  opens = 0;
  lastOpenAt = 0;
  lastCloseAt = 0;
  private ws: WebSocket | undefined;
  private urlIndex = 0;
  private failures = 0;
  private stopped = false;
  private held = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly opts: SimKioskOptions;
  private readonly startedAt = Date.now();

  constructor(opts: SimKioskOptions) {
    this.opts = opts;
    this.id = opts.id;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  get url(): string {
    return this.opts.urls[this.urlIndex % this.opts.urls.length] ?? '';
  }

  /** The id of the worker URL this kiosk is on (or will reconnect to). */
  get urlNumber(): number {
    return this.urlIndex % this.opts.urls.length;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Stays closed after its connection ends, until release(). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    if (!this.stopped && this.ws === undefined && this.reconnectTimer === undefined) this.connect();
  }

  /** Changes how it answers from now on. */
  behave(change: Pick<SimKioskOptions, 'mute' | 'neverIdle' | 'answerDelayMs'>): void {
    Object.assign(this.opts, change);
  }

  /** Connects to these URLs from the next (re)connection on. */
  retarget(urls: string[]): void {
    this.opts.urls = urls;
    this.urlIndex = 0;
  }

  /** Drops the connection (as a network failure would); the kiosk reconnects to its next URL. */
  drop(): void {
    this.ws?.terminate();
  }

  /** Frames of one command id received so far. */
  framesFor(id: string): Received[] {
    return this.received.filter((r) => r.frame.id === id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.statusTimer);
    const ws = this.ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000).unref();
    });
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.stopped || this.held) return;
    this.connections += 1;
    const connection = this.connections;
    const ws = new WebSocket(this.url, { headers: { Authorization: `Token ${this.opts.token}` }, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('open', () => {
      this.opens += 1;
      this.failures = 0;
      this.lastOpenAt = Date.now();
      this.send({ type: 'kiosk.hello', kiosk: this.id, groups: this.opts.groups ?? [], version: this.opts.version ?? 'sim-1.0.0' });
      if (this.opts.statusEveryMs) {
        clearInterval(this.statusTimer);
        this.statusTimer = setInterval(() => this.sendStatus(), this.opts.statusEveryMs);
      }
    });
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString('utf8'));
      } catch {
        return;
      }
      if (typeof frame !== 'object' || frame === null) return;
      const type = (frame as { type?: unknown }).type;
      if (type !== 'kiosk.reset' && type !== 'kiosk.command') return;
      this.received.push({ at: Date.now(), connection, frame: frame as CommandFrame });
      this.handle(frame as CommandFrame);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.ws === ws) this.ws = undefined;
      this.lastCloseAt = Date.now();
      clearInterval(this.statusTimer);
      if (this.stopped) return;
      this.urlIndex += 1;
      this.reconnectTimer = setTimeout(() => this.connect(), this.reconnectDelay());
    });
  }

  private reconnectDelay(): number {
    const backoff = this.opts.reconnectBackoff;
    if (backoff === undefined) return this.opts.reconnectDelayMs ?? 100;
    const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    return Math.floor(Math.random() * ceiling);
  }

  private targeted(target: Target | undefined): boolean {
    if (target === undefined || target === 'all') return true;
    if (Array.isArray(target.kiosks)) return target.kiosks.includes(this.id);
    if (Array.isArray(target.groups)) return target.groups.some((g) => (this.opts.groups ?? []).includes(g));
    return false;
  }

  private handle(frame: CommandFrame): void {
    const id = frame.id;
    if (id === undefined || this.opts.mute) return;
    const command = frame.type === 'kiosk.reset' ? 'reset' : (frame.command ?? '');
    const stored = this.answered.get(id);
    if (stored !== undefined) {
      this.send(stored); // a resend: the stored terminal ack again
      return;
    }
    const receivedAt = Date.now();
    const ack = (status: string, extra: Partial<Ack> = {}) => {
      const message: Ack = { type: 'kiosk.ack', id, kiosk: this.id, command, status, ms: Date.now() - receivedAt, ...extra };
      if (status !== 'accepted') {
        this.answered.set(id, message);
        this.answeredAt.set(id, Date.now());
      }
      this.send(message);
    };
    if (!this.targeted(frame.target)) {
      ack('ignored', { reason: 'not-targeted' });
      return;
    }
    if (frame.expiresAt !== undefined && Date.parse(frame.expiresAt) <= Date.now()) {
      ack('expired');
      return;
    }
    if (frame.when === 'idle' && this.opts.neverIdle) {
      this.send({ type: 'kiosk.ack', id, kiosk: this.id, command, status: 'accepted', ms: 0, waitingFor: 'idle' });
      return;
    }
    const run = () => {
      if (command === 'screenshot') {
        this.send({
          type: 'kiosk.screenshot',
          id,
          kiosk: this.id,
          mime: 'image/jpeg',
          width: 64,
          height: 36,
          takenAt: new Date().toISOString(),
          data: JPEG_64x36_BASE64,
        });
      }
      ack(command === 'reset' ? 'reloaded' : 'done');
    };
    const delay = this.opts.answerDelayMs ?? 0;
    if (delay > 0) setTimeout(run, delay);
    else run();
  }

  private sendStatus(): void {
    this.send({
      type: 'kiosk.status',
      kiosk: this.id,
      version: this.opts.version ?? 'sim-1.0.0',
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      renderer: 'alive',
      uplink: 'open',
      display: 'on',
      lastApiOkAt: new Date().toISOString(),
    });
  }

  private send(message: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }
}

/** Many simulated kiosks, started in small waves so that the server is not hit all at once. */
export class SimFleet {
  readonly kiosks: SimKiosk[];

  constructor(kiosks: SimKioskOptions[]) {
    this.kiosks = kiosks.map((opts) => new SimKiosk(opts));
  }

  async start({ perWave = 25, waveMs = 50 }: { perWave?: number; waveMs?: number } = {}): Promise<void> {
    for (const [i, kiosk] of this.kiosks.entries()) {
      kiosk.start();
      if (i % perWave === perWave - 1) await new Promise((resolve) => setTimeout(resolve, waveMs));
    }
  }

  get open(): SimKiosk[] {
    return this.kiosks.filter((k) => k.isOpen);
  }

  byId(id: string): SimKiosk {
    const kiosk = this.kiosks.find((k) => k.id === id);
    if (kiosk === undefined) throw new Error(`no simulated kiosk ${id}`);
    return kiosk;
  }

  async stop(): Promise<void> {
    await Promise.all(this.kiosks.map((k) => k.stop()));
  }
}
