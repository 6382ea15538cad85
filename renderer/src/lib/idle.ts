// Return-to-home after a period without touch, pointer or key input. It runs only away
// from home, only when the configured period is above zero, and not while any screen has
// paused it (a form being filled in, a detail being read).
import { type TimerHandle, type Timers } from './timers.ts';

/** Until the shell's hello says otherwise. */
export const DEFAULT_IDLE_SECONDS = 120;

export class IdleTimer {
  readonly #timers: Timers;
  readonly #onIdle: () => void;
  #seconds = DEFAULT_IDLE_SECONDS;
  #away = false;
  #pauses = 0;
  #timer: TimerHandle | undefined;

  constructor(timers: Timers, onIdle: () => void) {
    this.#timers = timers;
    this.#onIdle = onIdle;
  }

  /** 0 turns return-to-home off. */
  setSeconds(seconds: number): void {
    const next = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    if (next === this.#seconds) return;
    this.#seconds = next;
    this.#rearm();
  }

  /** Is the kiosk away from its home screen? */
  setAway(away: boolean): void {
    if (away === this.#away) return;
    this.#away = away;
    this.#rearm();
  }

  /** Someone touched the screen or pressed a key: the countdown starts over. */
  activity(): void {
    if (this.#timer !== undefined) this.#rearm();
  }

  /** Holds the timer until the returned function is called (once). */
  pause(): () => void {
    this.#pauses++;
    this.#rearm();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pauses--;
      this.#rearm();
    };
  }

  get armed(): boolean {
    return this.#timer !== undefined;
  }

  dispose(): void {
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#away = false;
  }

  #rearm(): void {
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#away || this.#seconds === 0 || this.#pauses > 0) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#onIdle();
    }, this.#seconds * 1000);
  }
}
