// The shell of `kiosk-shell serve`: no window. The pages (whatever browser shows them) are
// told over /ws to do themselves what another shell would do to them: reload, go home,
// wipe their session, blank the screen. With no page connected there is nothing to act
// on (E_NO_WINDOW), and no screen to capture. Input is what the pages report.
import { EventEmitter } from 'node:events';
import { KioskError } from '../core/errors.ts';
import type { DisplayPower, PageToShell, ShellToPage } from '../protocol/page.ts';
import type { PagesPort } from '../server/relay.ts';
import type { Screenshot, Shell, ShellEvents } from './shell.ts';

export class HeadlessShell extends EventEmitter<ShellEvents> implements Shell {
  readonly kind = 'headless' as const;
  readonly #pages: PagesPort;
  #power: DisplayPower = 'on';

  constructor(pages: PagesPort) {
    super();
    this.#pages = pages;
    pages.on('message', this.#onPage);
    pages.on('change', this.#onPages);
  }

  open(): Promise<void> {
    return Promise.resolve();
  }

  reload(): Promise<void> {
    return this.#tell({ type: 'local.reload' }, true);
  }

  home(id: string): Promise<void> {
    return this.#tell({ type: 'local.home', id }, false);
  }

  clearSession(id: string): Promise<void> {
    return this.#tell({ type: 'local.clear-session', id }, true);
  }

  screenshot(): Promise<Screenshot> {
    return Promise.reject(new KioskError('E_NO_WINDOW', 'no window to capture: the page is shown by a browser the shell does not drive'));
  }

  setDisplay(power: DisplayPower): Promise<void> {
    this.#power = power;
    // No page now is fine: the next one is told when it connects.
    if (this.#pages.connected > 0) this.#pages.tell({ type: 'local.display', power });
    return Promise.resolve();
  }

  recreate(): Promise<void> {
    return this.reload();
  }

  relaunch(): Promise<void> {
    return this.reload();
  }

  rendererState(): undefined {
    return undefined;
  }

  /** The page lives in a browser the shell does not drive: its memory is that browser's business. */
  rendererMemoryMB(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  close(): Promise<void> {
    this.#pages.off('message', this.#onPage);
    this.#pages.off('change', this.#onPages);
    return Promise.resolve();
  }

  #tell(message: ShellToPage, loads: boolean): Promise<void> {
    if (this.#pages.connected === 0) return Promise.reject(new KioskError('E_NO_WINDOW', 'no page is connected'));
    this.#pages.tell(message);
    if (loads) this.emit('loading');
    return Promise.resolve();
  }

  readonly #onPage = (message: PageToShell): void => {
    if (message.type !== 'local.activity') return;
    this.emit(this.#power === 'off' ? 'wake' : 'input');
  };

  readonly #onPages = (connected: number): void => {
    if (connected > 0 && this.#power === 'off') this.#pages.tell({ type: 'local.display', power: 'off' });
  };
}
