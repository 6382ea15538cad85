// The panel's power on an X11 display, through xset (Debian: x11-xserver-utils): kept
// awake while the kiosk shows content (no screensaver, no DPMS blanking), powered down
// while the display is off. Where there is no X display or no xset, the black cover the
// shell draws is all there is; that is said once in the log, never an error.
import { execFile } from 'node:child_process';
import type { Logger } from '../core/logger.ts';
import type { DisplayPower } from '../protocol/page.ts';

export class X11Display {
  readonly #display: string | undefined;
  readonly #logger: Logger;
  #warned = false;

  /** `display`: the X display (DISPLAY); undefined where there is none (Wayland, headless). */
  constructor(display: string | undefined, logger: Logger) {
    this.#display = display !== undefined && display !== '' ? display : undefined;
    this.#logger = logger;
  }

  /** The panel stays on: no screensaver, no DPMS timeouts. */
  keepAwake(): Promise<void> {
    return this.#run([['s', 'off'], ['s', 'noblank'], ['-dpms']]);
  }

  async setPower(power: DisplayPower): Promise<void> {
    if (power === 'off') await this.#run([['+dpms'], ['dpms', 'force', 'off']]);
    else await this.#run([['dpms', 'force', 'on'], ['s', 'reset']]).then(() => this.keepAwake());
  }

  async #run(commands: string[][]): Promise<void> {
    const display = this.#display;
    if (display === undefined) return;
    for (const args of commands) {
      const error = await new Promise<{ code?: string | number | null } | null>((resolve) => {
        execFile('xset', args, { env: { ...process.env, DISPLAY: display }, timeout: 3000 }, (err) => resolve(err));
      });
      if (error === null) continue;
      if (!this.#warned) {
        this.#warned = true;
        this.#logger.warn(
          { code: error.code, args: args.join(' ') },
          error.code === 'ENOENT' ? 'xset is not installed (x11-xserver-utils): the display is blanked, not powered down' : 'xset failed: the display is blanked, not powered down',
        );
      }
      return;
    }
  }
}
