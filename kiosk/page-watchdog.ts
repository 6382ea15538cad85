// Tells a live page from a dead or blank one by the page's own signs of life: the kiosk
// page connects to /ws and sends local.heartbeat every few seconds. A window whose page
// never connects after a load (a white screen: the script failed) is "blank"; a page
// that stops beating is "unresponsive". Each fault is reported once per load.
import { EventEmitter } from 'node:events';
import type { FailureKind } from './recovery-budget.ts';

export type PageState = 'loading' | 'alive' | 'unresponsive' | 'none';

export interface PageWatchdogOptions {
  /** How long a load may take before a page must have connected and said something. */
  connectGraceMs?: number;
  /** Silence after which a connected page counts as hung. */
  heartbeatTimeoutMs?: number;
  now?: () => number;
}

export class PageWatchdog extends EventEmitter<{ failure: [kind: FailureKind, detail: string] }> {
  readonly #connectGraceMs: number;
  readonly #heartbeatTimeoutMs: number;
  readonly #now: () => number;
  #loadStartedAt: number | undefined;
  #lastBeatAt: number | undefined;
  #reported = false;
  #connected = 0;

  constructor(options: PageWatchdogOptions = {}) {
    super();
    this.#connectGraceMs = options.connectGraceMs ?? 30_000;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 20_000;
    this.#now = options.now ?? Date.now;
  }

  /** The shell (re)loaded the page: expect new signs of life. */
  loadStarted(): void {
    this.#loadStartedAt = this.#now();
    this.#lastBeatAt = undefined;
    this.#reported = false;
  }

  pages(connected: number): void {
    this.#connected = connected;
  }

  /** A heartbeat or a local.shown from a page. */
  beat(): void {
    this.#lastBeatAt = this.#now();
    this.#loadStartedAt = undefined;
    this.#reported = false;
  }

  state(): PageState {
    const now = this.#now();
    if (this.#lastBeatAt === undefined) return this.#loadStartedAt === undefined ? 'none' : 'loading';
    if (this.#connected === 0) return 'none';
    return now - this.#lastBeatAt > this.#heartbeatTimeoutMs ? 'unresponsive' : 'alive';
  }

  /** Checks the deadlines; call it every second or so. */
  check(): void {
    if (this.#reported) return;
    const now = this.#now();
    if (this.#loadStartedAt !== undefined && now - this.#loadStartedAt > this.#connectGraceMs) {
      this.#report('blank', `no sign of life ${Math.round((now - this.#loadStartedAt) / 1000)} s after loading`);
    } else if (this.#lastBeatAt !== undefined && now - this.#lastBeatAt > this.#heartbeatTimeoutMs) {
      this.#report('unresponsive', `no heartbeat for ${Math.round((now - this.#lastBeatAt) / 1000)} s`);
    }
  }

  #report(kind: FailureKind, detail: string): void {
    this.#reported = true;
    this.emit('failure', kind, detail);
  }
}
