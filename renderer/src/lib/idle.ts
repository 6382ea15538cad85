// Return-to-home after a period without touch, pointer or key input, with a "Still
// there?" prompt shortly before it. It runs only while the visitor's session is not
// fresh ("away": another screen, another language, larger text…), only when the
// configured period is above zero, and not while any screen has paused it.
//
// It also answers "is the kiosk in use?" for the shell (a `when: idle` command waits for
// it): in use while away, while the prompt shows, while paused, or within the idle period
// after the last touch or key.
import { type TimerHandle, type Timers } from '../../../sdk/timers.ts';

/** Until the shell's hello says otherwise. */
export const DEFAULT_IDLE_SECONDS = 120;
/** The prompt shows this long before the return home (less for short periods, none below 15 s). */
const PROMPT_SECONDS = 20;
const MIN_PERIOD_FOR_PROMPT = 15;

export interface IdleTimerOptions {
  timers: Timers;
  onIdle: () => void;
  /** The prompt appears (with when the return home is due) or goes away (null). */
  onPrompt?: (homeAt: number | null) => void;
  onInUse?: (inUse: boolean) => void;
}

export class IdleTimer {
  readonly #timers: Timers;
  readonly #onIdle: () => void;
  readonly #onPrompt: (homeAt: number | null) => void;
  readonly #onInUse: (inUse: boolean) => void;
  #seconds = DEFAULT_IDLE_SECONDS;
  #away = false;
  #pauses = 0;
  #promptTimer: TimerHandle | undefined;
  #homeTimer: TimerHandle | undefined;
  #quietTimer: TimerHandle | undefined;
  #prompting = false;
  #recentActivity = false;
  #inUse = false;

  constructor(options: IdleTimerOptions) {
    this.#timers = options.timers;
    this.#onIdle = options.onIdle;
    this.#onPrompt = options.onPrompt ?? (() => undefined);
    this.#onInUse = options.onInUse ?? (() => undefined);
  }

  /** 0 turns return-to-home off. */
  setSeconds(seconds: number): void {
    const next = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    if (next === this.#seconds) return;
    this.#seconds = next;
    this.#rearm();
    this.#updateInUse();
  }

  /** Is the visitor's session away from the fresh home screen? */
  setAway(away: boolean): void {
    if (away === this.#away) return;
    this.#away = away;
    this.#rearm();
    this.#updateInUse();
  }

  /**
   * Someone touched the screen or pressed a key: the countdown starts over. While the prompt
   * shows, only its own answer (stay) closes it: closing it on the touch that begins a tap
   * would let the tap's click land on whatever lies under the prompt.
   */
  activity(): void {
    this.#recentActivity = true;
    this.#timers.clearTimeout(this.#quietTimer);
    this.#quietTimer = this.#timers.setTimeout(() => {
      this.#quietTimer = undefined;
      this.#recentActivity = false;
      this.#updateInUse();
    }, this.#windowSeconds() * 1000);
    if (this.armed && !this.#prompting) this.#rearm();
    this.#updateInUse();
  }

  /** The visitor answered "Still there?": the prompt goes and the countdown starts over. */
  stay(): void {
    if (!this.#prompting) return;
    this.activity();
    this.#rearm();
    this.#updateInUse();
  }

  /** Holds the timer until the returned function is called (once). */
  pause(): () => void {
    this.#pauses++;
    this.#rearm();
    this.#updateInUse();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pauses--;
      this.#rearm();
      this.#updateInUse();
    };
  }

  get armed(): boolean {
    return this.#promptTimer !== undefined || this.#homeTimer !== undefined;
  }

  get prompting(): boolean {
    return this.#prompting;
  }

  get inUse(): boolean {
    return this.#inUse;
  }

  dispose(): void {
    this.#clear();
    this.#timers.clearTimeout(this.#quietTimer);
    this.#quietTimer = undefined;
    this.#away = false;
  }

  /** How long after a touch the kiosk counts as in use, even at home or with return-home off. */
  #windowSeconds(): number {
    return this.#seconds > 0 ? this.#seconds : DEFAULT_IDLE_SECONDS;
  }

  #clear(): void {
    this.#timers.clearTimeout(this.#promptTimer);
    this.#timers.clearTimeout(this.#homeTimer);
    this.#promptTimer = undefined;
    this.#homeTimer = undefined;
    if (this.#prompting) {
      this.#prompting = false;
      this.#onPrompt(null);
    }
  }

  #rearm(): void {
    this.#clear();
    if (!this.#away || this.#seconds === 0 || this.#pauses > 0) return;
    const promptSeconds = this.#seconds >= MIN_PERIOD_FOR_PROMPT ? Math.min(PROMPT_SECONDS, Math.floor(this.#seconds / 3)) : 0;
    const goHome = () => {
      this.#homeTimer = undefined;
      this.#prompting = false;
      this.#onPrompt(null);
      this.#onIdle();
      this.#updateInUse();
    };
    if (promptSeconds === 0) {
      this.#homeTimer = this.#timers.setTimeout(() => {
        this.#homeTimer = undefined;
        this.#onIdle();
        this.#updateInUse();
      }, this.#seconds * 1000);
      return;
    }
    this.#promptTimer = this.#timers.setTimeout(() => {
      this.#promptTimer = undefined;
      this.#prompting = true;
      this.#onPrompt(this.#timers.now() + promptSeconds * 1000);
      this.#homeTimer = this.#timers.setTimeout(goHome, promptSeconds * 1000);
      this.#updateInUse();
    }, (this.#seconds - promptSeconds) * 1000);
  }

  #updateInUse(): void {
    const inUse = this.#prompting || this.#pauses > 0 || this.#recentActivity || (this.#away && this.#seconds > 0);
    if (inUse === this.#inUse) return;
    this.#inUse = inUse;
    this.#onInUse(inUse);
  }
}
