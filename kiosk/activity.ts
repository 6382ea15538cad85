// Is somebody using the kiosk? Two signals: real input the shell saw (touch, mouse, keys —
// not the page's word for it), and the page's own report that a visitor is mid-task
// (away from home, a prompt open). Commands with `when: idle` wait for both to be quiet;
// screenshots wait for the input to be quiet (privacy).
import { EventEmitter } from 'node:events';

export class Activity extends EventEmitter<{ change: [] }> {
  readonly #now: () => number;
  #lastInputAt = Number.NEGATIVE_INFINITY;
  #pageInUse = false;

  constructor({ now = Date.now }: { now?: () => number } = {}) {
    super();
    this.#now = now;
  }

  /** Real input, seen by the shell. */
  input(): void {
    this.#lastInputAt = this.#now();
    this.emit('change');
  }

  /** The page's report; a new page starts as not in use. */
  pageInUse(inUse: boolean): void {
    if (inUse === this.#pageInUse) return;
    this.#pageInUse = inUse;
    this.emit('change');
  }

  get lastInputAt(): number {
    return this.#lastInputAt;
  }

  get inUse(): boolean {
    return this.#pageInUse;
  }

  /** No input for `ms`. */
  quietFor(ms: number): boolean {
    return this.#now() - this.#lastInputAt >= ms;
  }

  /** No input for `ms`, and the page says nobody is mid-task. */
  idleFor(ms: number): boolean {
    return !this.#pageInUse && this.quietFor(ms);
  }

  /** Resolves once there has been no input for `ms` (and, with `page`, the page is not in use); rejects on `signal`. */
  async wait(ms: number, { page, signal }: { page: boolean; signal: AbortSignal }): Promise<void> {
    const ready = () => (page ? this.idleFor(ms) : this.quietFor(ms));
    while (!ready()) {
      signal.throwIfAborted();
      // Wake when the quiet period could end (if it has not: otherwise only the page's
      // report can change things), or sooner when something changes.
      const due = this.quietFor(ms) ? undefined : Math.max(0, this.#lastInputAt + ms - this.#now());
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.off('change', done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = due === undefined ? undefined : setTimeout(done, Math.min(due + 5, 2 ** 31 - 1));
        this.on('change', done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}
