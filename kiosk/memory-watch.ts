// Always-on pages grow until the renderer is killed and the screen turns white while every
// other sign says "fine". The shell samples the renderer's memory; above the limit it
// replaces the renderer at the next idle moment (nobody is using the kiosk), and at once
// above a hard ceiling (1.5 times the limit), before the browser's own kill does it worse.
import type { Logger } from '../core/logger.ts';
import type { Activity } from './activity.ts';
import type { Shell } from './shell.ts';

/** Above this many times the limit, the renderer is replaced at once, visitor or not. */
export const HARD_CEILING = 1.5;

export interface MemoryWatchOptions {
  shell: Pick<Shell, 'rendererMemoryMB' | 'recreate'>;
  activity: Pick<Activity, 'idleFor'>;
  idleMs: number;
  maxMB: number;
  checkMs: number;
  logger: Logger;
}

export interface MemoryStats {
  /** The last sample, in MiB (null before one, or where the shell cannot tell). */
  rendererMB: number | null;
  recycled: number;
}

export class MemoryWatch {
  readonly #o: MemoryWatchOptions;
  readonly #stats: MemoryStats = { rendererMB: null, recycled: 0 };
  #timer: NodeJS.Timeout | undefined;
  /** Over the limit, waiting for an idle moment. */
  #due = false;
  #busy = false;

  constructor(options: MemoryWatchOptions) {
    this.#o = options;
  }

  get stats(): MemoryStats {
    return { ...this.#stats };
  }

  start(): void {
    this.#timer = setInterval(() => void this.check(), this.#o.checkMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async check(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const mb = await this.#o.shell.rendererMemoryMB();
      this.#stats.rendererMB = mb === undefined ? null : Math.round(mb);
      if (mb === undefined) return;
      const { maxMB, logger } = this.#o;
      const urgent = mb > maxMB * HARD_CEILING;
      if (mb > maxMB && !this.#due) logger.warn({ rendererMB: Math.round(mb), maxMB }, 'renderer memory over recovery.maxRendererMemoryMB: replacing it at the next idle moment');
      this.#due = mb > maxMB;
      if (!this.#due || (!urgent && !this.#o.activity.idleFor(this.#o.idleMs))) return;
      logger.warn({ rendererMB: Math.round(mb), maxMB, urgent }, urgent ? 'renderer memory above the hard ceiling: replacing it now' : 'replacing the renderer (over its memory limit, and nobody is using the kiosk)');
      this.#due = false;
      this.#stats.recycled++;
      await this.#o.shell.recreate();
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'memory check failed');
    } finally {
      this.#busy = false;
    }
  }
}
