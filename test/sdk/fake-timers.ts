// A deterministic clock for the renderer's timer-driven logic: nothing fires until the
// test advances time, and then everything due fires in order.
import type { TimerHandle, Timers } from '../../sdk/timers.ts';

interface Pending {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeTimers implements Timers {
  #now: number;
  #nextId = 1;
  #pending: Pending[] = [];

  constructor(start = Date.UTC(2025, 10, 28, 12)) {
    this.#now = start;
  }

  now = (): number => this.#now;

  setTimeout = (callback: () => void, ms: number): TimerHandle => {
    const id = this.#nextId++;
    this.#pending.push({ id, at: this.#now + Math.max(0, ms), callback });
    return id as unknown as TimerHandle;
  };

  clearTimeout = (handle: TimerHandle | undefined): void => {
    this.#pending = this.#pending.filter((timer) => (timer.id as unknown) !== handle);
  };

  /** Timers still waiting. */
  get size(): number {
    return this.#pending.length;
  }

  /** When the next timer is due, relative to now. */
  nextDelay(): number | undefined {
    const next = this.#sorted()[0];
    return next === undefined ? undefined : next.at - this.#now;
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#sorted()[0];
      if (next === undefined || next.at > until) break;
      this.#pending = this.#pending.filter((timer) => timer !== next);
      this.#now = next.at;
      next.callback();
    }
    this.#now = until;
  }

  #sorted(): Pending[] {
    return [...this.#pending].sort((a, b) => a.at - b.at || a.id - b.id);
  }
}

/** Lets pending promise callbacks (a resolved fetch, say) run. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
