// The Electron shell: the kiosk controller's Shell over one BrowserWindow. It turns the
// window's events into failures (crash, hang, failed load) and carries out the remedies
// the controller picks (reload, recreate, relaunch). The decisions live in kiosk/.
import { EventEmitter } from 'node:events';
import type { App, BrowserWindow } from 'electron';
import type { FailureKind } from '../kiosk/recovery-budget.ts';
import type { Shell, ShellEvents, ShellRendererState } from '../kiosk/shell.ts';
import type { Logger } from '../core/logger.ts';
import { createKioskWindow } from './window.ts';

/** Chromium's "aborted" load error: a navigation replaced by another, not a failure. */
const ERR_ABORTED = -3;

export interface ElectronShellOptions {
  app: Pick<App, 'relaunch' | 'exit'>;
  /** The kiosk page (no key in it: the page asks the preload). */
  url: string;
  preload: string;
  dev: boolean;
  logger: Logger;
  /** How long the window may stay unresponsive before it counts as hung. */
  unresponsiveMs?: number;
}

export class ElectronShell extends EventEmitter<ShellEvents> implements Shell {
  readonly kind = 'electron' as const;
  readonly hasWindow = true;
  readonly #options: ElectronShellOptions;
  #window: BrowserWindow | undefined;
  #state: ShellRendererState;
  #unresponsiveTimer: NodeJS.Timeout | undefined;
  #quitting = false;

  constructor(options: ElectronShellOptions) {
    super();
    this.#options = options;
  }

  get window(): BrowserWindow | undefined {
    return this.#window;
  }

  /** Opens the kiosk window and loads the page. */
  open(): BrowserWindow {
    const window = createKioskWindow({ preload: this.#options.preload, dev: this.#options.dev });
    this.#window = window;
    this.#state = undefined;
    this.#watch(window);
    void window.loadURL(this.#options.url).catch(() => undefined);
    return window;
  }

  reload(): Promise<void> {
    const window = this.#window;
    if (window === undefined || window.isDestroyed()) return this.recreate();
    const contents = window.webContents;
    // A hung renderer cannot run a reload; crash it on purpose and load a fresh one.
    if (this.#state === 'unresponsive') contents.forcefullyCrashRenderer();
    this.#state = undefined;
    contents.reloadIgnoringCache();
    return Promise.resolve();
  }

  recreate(): Promise<void> {
    const old = this.#window;
    this.#window = undefined;
    if (old !== undefined && !old.isDestroyed()) old.destroy();
    this.open();
    return Promise.resolve();
  }

  relaunch(): Promise<void> {
    this.#options.logger.warn('relaunching the app');
    this.#quitting = true;
    this.#options.app.relaunch();
    this.#options.app.exit(0);
    return Promise.resolve();
  }

  rendererState(): ShellRendererState {
    return this.#state;
  }

  close(): Promise<void> {
    this.#quitting = true;
    clearTimeout(this.#unresponsiveTimer);
    if (this.#window !== undefined && !this.#window.isDestroyed()) this.#window.destroy();
    return Promise.resolve();
  }

  #watch(window: BrowserWindow): void {
    const { logger } = this.#options;
    const contents = window.webContents;
    const fail = (kind: FailureKind, detail: string) => {
      if (this.#window === window) this.emit('failure', kind, detail);
    };
    contents.on('render-process-gone', (_event, details) => {
      if (details.reason === 'clean-exit') return;
      this.#state = 'crashed';
      logger.error({ reason: details.reason, exitCode: details.exitCode }, 'the page\'s renderer process is gone');
      fail('crashed', details.reason);
    });
    window.on('unresponsive', () => {
      clearTimeout(this.#unresponsiveTimer);
      this.#unresponsiveTimer = setTimeout(() => {
        this.#state = 'unresponsive';
        fail('unresponsive', 'window unresponsive');
      }, this.#options.unresponsiveMs ?? 10_000);
    });
    window.on('responsive', () => {
      clearTimeout(this.#unresponsiveTimer);
      if (this.#state === 'unresponsive') this.#state = undefined;
    });
    contents.on('did-fail-load', (_event, errorCode, errorDescription, _url, isMainFrame) => {
      if (!isMainFrame || errorCode === ERR_ABORTED) return;
      logger.warn({ errorCode, errorDescription }, 'the kiosk page failed to load');
      fail('load-failed', errorDescription);
    });
    // Nobody closes a kiosk by hand (Alt+F4, a window manager's close button).
    window.on('close', (event) => {
      if (!this.#quitting) event.preventDefault();
    });
    window.on('closed', () => {
      if (this.#window !== window || this.#quitting) return;
      fail('crashed', 'window closed');
      this.#window = undefined;
    });
  }
}
