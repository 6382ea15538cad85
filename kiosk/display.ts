// Whether the screen is on, and why not. Two reasons to be off — an admin's `display off`
// command and the schedule — and one exception: a touch on a dark screen wakes it for
// wakeOnTouchMinutes (the shell swallows that touch). The shell is told only when the
// power it should show changes; kiosk.status reports the state.
import { EventEmitter } from 'node:events';
import type { Logger } from '../core/logger.ts';
import type { DisplayPower } from '../protocol/page.ts';
import type { DisplayState } from '../protocol/upstream.ts';
import type { Shell } from './shell.ts';

export interface DisplayOptions {
  shell: Pick<Shell, 'setDisplay'>;
  wakeMs: number;
  logger: Logger;
  now?: () => number;
}

export class Display extends EventEmitter<{ change: [state: DisplayState] }> {
  readonly #options: DisplayOptions;
  readonly #now: () => number;
  #commandedOff = false;
  #scheduledOff = false;
  #awakeUntil = 0;
  #awakeTimer: NodeJS.Timeout | undefined;
  /** What the shell was last told (it starts on). */
  #power: DisplayPower = 'on';
  #applying: Promise<void> = Promise.resolve();

  constructor(options: DisplayOptions) {
    super();
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Why the screen is dark, if it is meant to be; a woken screen still reports why it will go dark again. */
  get state(): DisplayState {
    if (this.#commandedOff) return 'off-commanded';
    if (this.#scheduledOff) return 'off-scheduled';
    return 'on';
  }

  /** What the screen shows now. */
  get power(): DisplayPower {
    return this.#power;
  }

  /** An admin's command; resolves once the shell has carried it out. */
  command(power: DisplayPower): Promise<void> {
    this.#commandedOff = power === 'off';
    // An explicit command overrides a wake in progress.
    this.#awakeUntil = 0;
    return this.#apply();
  }

  /** The schedule's verdict for now. */
  scheduled(off: boolean): Promise<void> {
    if (off === this.#scheduledOff) return this.#applying;
    this.#scheduledOff = off;
    if (!off) this.#awakeUntil = 0;
    return this.#apply();
  }

  /** Someone touched the dark screen. */
  wake(): void {
    if (this.state === 'on' || this.#options.wakeMs <= 0) return;
    this.#awakeUntil = this.#now() + this.#options.wakeMs;
    this.#options.logger.info({ minutes: this.#options.wakeMs / 60_000 }, 'display woken by a touch');
    void this.#apply();
  }

  stop(): void {
    clearTimeout(this.#awakeTimer);
  }

  #apply(): Promise<void> {
    clearTimeout(this.#awakeTimer);
    const awake = this.#awakeUntil > this.#now();
    if (awake) {
      this.#awakeTimer = setTimeout(() => void this.#apply(), this.#awakeUntil - this.#now() + 1);
      this.#awakeTimer.unref();
    }
    const power: DisplayPower = this.state === 'on' || awake ? 'on' : 'off';
    const state = this.state;
    // Changes are applied in order: a quick off-on must not reach the shell as on-off.
    this.#applying = this.#applying.then(async () => {
      if (power === this.#power) return;
      await this.#options.shell.setDisplay(power);
      this.#power = power;
      this.#options.logger.info({ power, state }, 'display');
    });
    const applied = this.#applying;
    this.#applying = applied.catch(() => undefined);
    this.emit('change', state);
    return applied;
  }
}
