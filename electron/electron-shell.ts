// The Electron shell: the kiosk's Shell over one BrowserWindow. It turns the window's
// events into failures (crash, hang, failed load), carries out the remedies and commands
// the kiosk picks (reload, recreate, relaunch, wipe, capture, display), and reports the
// window's real input (a touch on a dark screen as a wake), as the main process sees it:
// every frame's, and nothing a page could forge. The decisions live in kiosk/.
import { EventEmitter } from 'node:events';
import type { App, BrowserWindow, NativeImage, PowerSaveBlocker, Session } from 'electron';
import { KioskError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { FailureKind } from '../kiosk/recovery-budget.ts';
import { fitScreenshot } from '../kiosk/screenshot-fit.ts';
import type { Screenshot, ScreenshotRequest, Shell, ShellEvents, ShellRendererState } from '../kiosk/shell.ts';
import { X11Display } from '../kiosk/x11-display.ts';
import type { DisplayPower } from '../protocol/page.ts';
import type { PagesPort } from '../server/relay.ts';
import { sendDisplay } from './ipc.ts';
import { createKioskWindow } from './window.ts';

/** Chromium's "aborted" load error: a navigation replaced by another, not a failure. */
const ERR_ABORTED = -3;

/** The input that means a person began something (not moves, not the ends of gestures). */
const STARTS: ReadonlySet<string> = new Set(['mouseDown', 'touchStart', 'rawKeyDown', 'keyDown', 'mouseWheel', 'gestureScrollBegin', 'pointerDown']);
/** Input is reported at most this often. */
const REPORT_EVERY_MS = 500;

/** Every kind of storage the session keeps for the kiosk origin. */
const ORIGIN_STORAGES = ['cookies', 'filesystem', 'indexdb', 'localstorage', 'shadercache', 'serviceworkers', 'cachestorage'] as const;

export interface ElectronShellOptions {
  app: Pick<App, 'relaunch' | 'exit' | 'getAppMetrics'>;
  /** The kiosk page (no key in it: the page asks the preload). */
  url: string;
  /** The kiosk origin, whose storage a wipe clears. */
  origin: string;
  preload: string;
  dev: boolean;
  logger: Logger;
  /** The kiosk's pages, for what only the page can do (go home). */
  pages: PagesPort;
  session: Pick<Session, 'clearStorageData' | 'clearCache'>;
  powerSaveBlocker: Pick<PowerSaveBlocker, 'start' | 'stop'>;
  /** The X display, for powering the panel down on Linux; undefined elsewhere. */
  display?: string | undefined;
  /** How long the window may stay unresponsive before it counts as hung. */
  unresponsiveMs?: number;
}

export class ElectronShell extends EventEmitter<ShellEvents> implements Shell {
  readonly kind = 'electron' as const;
  readonly #options: ElectronShellOptions;
  readonly #x11: X11Display;
  #window: BrowserWindow | undefined;
  #state: ShellRendererState;
  #unresponsiveTimer: NodeJS.Timeout | undefined;
  #quitting = false;
  #power: DisplayPower = 'on';
  #blocker: number | undefined;
  #lastReport = 0;

  constructor(options: ElectronShellOptions) {
    super();
    this.#options = options;
    this.#x11 = new X11Display(options.display, options.logger);
  }

  get window(): BrowserWindow | undefined {
    return this.#window;
  }

  /** What the page agent should show now (asked by the preload when a document starts). */
  get power(): DisplayPower {
    return this.#power;
  }

  /** Opens the kiosk window and loads the page; the display is kept awake while it is on. */
  async open(): Promise<void> {
    this.#keepAwake(true);
    this.#openWindow();
    await this.#x11.keepAwake();
  }

  reload(): Promise<void> {
    const window = this.#window;
    if (window === undefined || window.isDestroyed()) return this.recreate();
    const contents = window.webContents;
    // A hung renderer cannot run a reload; crash it on purpose and load a fresh one.
    if (this.#state === 'unresponsive') contents.forcefullyCrashRenderer();
    this.#state = undefined;
    this.emit('loading');
    contents.reloadIgnoringCache();
    return Promise.resolve();
  }

  async home(id: string): Promise<void> {
    await this.#wipe();
    this.#options.pages.tell({ type: 'local.home', id });
  }

  async clearSession(): Promise<void> {
    await this.#wipe();
    // A new window: sessionStorage, which no session API clears, goes with the old one.
    await this.recreate();
  }

  async screenshot(request: ScreenshotRequest): Promise<Screenshot> {
    const window = this.#window;
    if (window === undefined || window.isDestroyed()) throw new KioskError('E_SHELL_ACTION', 'no-page');
    if (this.#state === 'crashed') throw new KioskError('E_SHELL_ACTION', 'renderer-crashed');
    let image: NativeImage;
    try {
      image = await window.webContents.capturePage();
    } catch (error) {
      throw new KioskError('E_SHELL_ACTION', 'capture-failed', { cause: error });
    }
    const { width } = image.getSize();
    if (width === 0) throw new KioskError('E_SHELL_ACTION', 'capture-empty');
    return fitScreenshot((scale, quality) => Promise.resolve(image.resize({ width: Math.max(1, Math.round(width * scale)), quality: 'good' }).toJPEG(quality)), width, request);
  }

  async setDisplay(power: DisplayPower): Promise<void> {
    this.#power = power;
    sendDisplay(this.#window?.webContents, power);
    // Off: let the OS power the panel down; on: keep it awake again.
    this.#keepAwake(power === 'on');
    await this.#x11.setPower(power);
  }

  recreate(): Promise<void> {
    const old = this.#window;
    this.#window = undefined;
    if (old !== undefined && !old.isDestroyed()) old.destroy();
    this.#openWindow();
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

  /** The kiosk window's renderer process, as Electron measures it (app.getAppMetrics). */
  rendererMemoryMB(): Promise<number | undefined> {
    const contents = this.#window?.webContents;
    if (contents === undefined || contents.isDestroyed()) return Promise.resolve(undefined);
    const pid = contents.getOSProcessId();
    const metric = this.#options.app.getAppMetrics().find((m) => m.pid === pid);
    return Promise.resolve(metric === undefined ? undefined : metric.memory.workingSetSize / 1024);
  }

  close(): Promise<void> {
    this.#quitting = true;
    clearTimeout(this.#unresponsiveTimer);
    this.#keepAwake(false);
    if (this.#window !== undefined && !this.#window.isDestroyed()) this.#window.destroy();
    return Promise.resolve();
  }

  #openWindow(): void {
    const window = createKioskWindow({ preload: this.#options.preload, dev: this.#options.dev });
    this.#window = window;
    this.#state = undefined;
    this.#watch(window);
    this.emit('loading');
    void window.loadURL(this.#options.url).catch(() => undefined);
  }

  #keepAwake(awake: boolean): void {
    const { powerSaveBlocker } = this.#options;
    if (awake && this.#blocker === undefined) this.#blocker = powerSaveBlocker.start('prevent-display-sleep');
    if (!awake && this.#blocker !== undefined) {
      powerSaveBlocker.stop(this.#blocker);
      this.#blocker = undefined;
    }
  }

  async #wipe(): Promise<void> {
    const { session, origin } = this.#options;
    try {
      await session.clearStorageData({ origin, storages: [...ORIGIN_STORAGES] });
      await session.clearCache();
    } catch (error) {
      throw new KioskError('E_SHELL_ACTION', 'wipe-failed', { cause: error });
    }
  }

  #watch(window: BrowserWindow): void {
    const { logger } = this.#options;
    const contents = window.webContents;
    const fail = (kind: FailureKind, detail: string) => {
      if (this.#window === window) this.emit('failure', kind, detail);
    };
    // Real input, in every frame of the page, as the browser hands it to the renderer.
    contents.on('input-event', (_event, input) => {
      if (this.#window !== window || !STARTS.has(input.type)) return;
      const now = Date.now();
      if (now - this.#lastReport < REPORT_EVERY_MS) return;
      this.#lastReport = now;
      // Dark: the page agent swallows this input; the kiosk wakes the screen.
      this.emit(this.#power === 'off' ? 'wake' : 'input');
    });
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
