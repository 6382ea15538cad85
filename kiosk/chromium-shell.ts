// The Chromium shell: the same kiosk controller drives the system's Chromium through the
// DevTools protocol (playwright-core, which downloads nothing when given an executable).
// IT can run the kiosk where Electron is not installed, and the whole kiosk runs — and is
// tested — where the Electron binary cannot be downloaded.
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { KioskError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Shell, ShellEvents, ShellRendererState } from './shell.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

/** Flags that keep Chromium quiet, local and locked down on an unattended machine. */
const KIOSK_FLAGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--noerrdialogs',
  '--disable-infobars',
  '--disable-session-crashed-bubble',
  '--disable-translate',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--disable-pinch',
  '--overscroll-history-navigation=0',
  '--password-store=basic',
  '--autoplay-policy=no-user-gesture-required',
];

export interface ChromiumShellOptions {
  /** The page's address, launch key in the fragment. */
  url: string;
  /** The kiosk's own origin: the only one the browser may load anything from. */
  origin: string;
  executablePath: string;
  headless: boolean;
  logger: Logger;
  /** A normal window (with devtools available) instead of kiosk mode. */
  dev?: boolean;
  /** Window size when not fullscreen (headless, dev). */
  viewport?: { width: number; height: number };
  /** Extra Chromium flags (tests pass --disable-gpu). */
  extraArgs?: readonly string[];
}

/** The system Chromium: $KIOSK_CHROMIUM_PATH, or the first of the usual places that exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KIOSK_CHROMIUM_PATH) return existsSync(env.KIOSK_CHROMIUM_PATH) ? env.KIOSK_CHROMIUM_PATH : undefined;
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

export class ChromiumShell extends EventEmitter<ShellEvents> implements Shell {
  readonly kind = 'chromium' as const;
  readonly hasWindow = true;
  readonly #options: ChromiumShellOptions;
  readonly #profileDir: string;
  #context: BrowserContext | undefined;
  #page: Page | undefined;
  #crashed = false;
  #closing = false;

  private constructor(options: ChromiumShellOptions) {
    super();
    this.#options = options;
    // A fresh profile per launch: no state from a previous run (cookies, cache, crash bubbles).
    this.#profileDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-shell-chromium-'));
  }

  static async launch(options: ChromiumShellOptions): Promise<ChromiumShell> {
    const shell = new ChromiumShell(options);
    await shell.#start();
    return shell;
  }

  /** The page Chromium shows (for tests and diagnostics). */
  get page(): Page | undefined {
    return this.#page;
  }

  async reload(): Promise<void> {
    const page = this.#page;
    if (page === undefined || page.isClosed() || this.#crashed) return this.recreate();
    try {
      // Only the navigation's commit is awaited: the page's own scripts may be hung.
      await page.reload({ waitUntil: 'commit', timeout: 10_000 });
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'chromium: reload did not commit; recreating the page');
      await this.recreate();
    }
  }

  async recreate(): Promise<void> {
    const context = this.#context;
    if (context === undefined) return this.relaunch();
    const old = this.#page;
    this.#page = undefined;
    await old?.close({ runBeforeUnload: false }).catch(() => undefined);
    await this.#openPage(context);
  }

  async relaunch(): Promise<void> {
    await this.#stopBrowser();
    await this.#start();
  }

  rendererState(): ShellRendererState {
    return this.#crashed ? 'crashed' : undefined;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#stopBrowser();
    rmSync(this.#profileDir, { recursive: true, force: true });
  }

  async #start(): Promise<void> {
    const { executablePath, headless, dev, viewport, extraArgs, logger } = this.#options;
    const args = [...KIOSK_FLAGS, ...(extraArgs ?? [])];
    if (dev) args.push('--auto-open-devtools-for-tabs');
    // Chromium refuses to run as root with its sandbox on (containers, CI).
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    if (!headless && !dev) args.push('--kiosk', '--start-fullscreen');
    let context: BrowserContext;
    try {
      context = await chromium.launchPersistentContext(this.#profileDir, {
        executablePath,
        headless,
        args,
        ignoreDefaultArgs: ['--enable-automation'],
        viewport: headless || dev ? (viewport ?? { width: 1920, height: 1080 }) : null,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        acceptDownloads: false,
        permissions: [],
        serviceWorkers: 'block',
      });
    } catch (error) {
      throw new KioskError('E_SHELL_UNAVAILABLE', `cannot start Chromium at ${executablePath}: ${(error as Error).message.split('\n')[0] ?? ''}`, {
        cause: error,
      });
    }
    this.#context = context;
    this.#crashed = false;
    await this.#lockDown(context);
    context.on('close', () => {
      if (this.#closing || this.#context !== context) return;
      logger.error('chromium: the browser went away');
      this.#context = undefined;
      this.emit('failure', 'crashed', 'browser closed');
    });
    const initial = context.pages()[0];
    await this.#openPage(context, initial);
  }

  /** Nothing but the kiosk origin loads; no popups, downloads, dialogs or permissions. */
  async #lockDown(context: BrowserContext): Promise<void> {
    const { origin, logger } = this.#options;
    await context.route(
      (url) => url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:',
      (route) => {
        logger.warn({ url: new URL(route.request().url()).origin }, 'chromium: blocked a request outside the kiosk origin');
        void route.abort('blockedbyclient');
      },
    );
    context.on('page', (page) => {
      if (page !== this.#page && this.#page !== undefined) void page.close();
    });
  }

  async #openPage(context: BrowserContext, reuse?: Page): Promise<void> {
    const { url, logger } = this.#options;
    const page = reuse ?? (await context.newPage());
    this.#page = page;
    this.#crashed = false;
    page.on('crash', () => {
      if (this.#page !== page) return;
      this.#crashed = true;
      this.emit('failure', 'crashed', 'renderer crashed');
    });
    page.on('dialog', (dialog) => void dialog.dismiss());
    if (!this.#options.headless && !this.#options.dev) await this.#fillScreen(context, page);
    try {
      await page.goto(url, { waitUntil: 'commit', timeout: 15_000 });
    } catch (error) {
      if (this.#page !== page) return;
      logger.warn({ err: error }, 'chromium: the kiosk page failed to load');
      this.emit('failure', 'load-failed', 'navigation failed');
    }
  }

  /**
   * With no window manager (a bare X session, as many kiosks run), `--kiosk` leaves the
   * window at Chromium's default size in a corner: Chromium believes it is fullscreen, but
   * nothing made it so. Size the window to the screen when it does not cover it. (Chromium
   * keeps an X11 window one pixel short of the screen, so that is what "covers" allows.)
   */
  async #fillScreen(context: BrowserContext, page: Page): Promise<void> {
    const { logger } = this.#options;
    let session: CDPSession | undefined;
    // A browser that does not answer must not hold up the page's load (and the recovery
    // that waits on it): give up on sizing after a few seconds, the page loads regardless.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer from Chromium within 5 s')), 5000);
    });
    gaveUp.catch(() => undefined);
    const answer = <T>(request: Promise<T>) => Promise.race([request, gaveUp]);
    try {
      session = await answer(context.newCDPSession(page));
      const { windowId, bounds } = await answer(session.send('Browser.getWindowForTarget'));
      const screen = await answer(page.evaluate(() => ({ width: window.screen.width, height: window.screen.height })));
      const covers = (b: typeof bounds) =>
        (b.left ?? 0) <= 0 && (b.top ?? 0) <= 0 && (b.width ?? 0) >= screen.width - 1 && (b.height ?? 0) >= screen.height - 1;
      if (covers(bounds)) return;
      // Bounds can be set only on a normal window; fullscreen again keeps kiosk mode's look.
      for (const next of [{ windowState: 'normal' }, { left: 0, top: 0, width: screen.width, height: screen.height }, { windowState: 'fullscreen' }] as const) {
        await answer(session.send('Browser.setWindowBounds', { windowId, bounds: next }));
      }
      logger.info({ screen, was: bounds }, 'chromium: sized the kiosk window to the screen (no window manager made it fullscreen)');
    } catch (error) {
      logger.warn({ err: error }, 'chromium: could not size the kiosk window to the screen');
    } finally {
      clearTimeout(timer);
      // Not awaited: a browser that stopped answering would hold this up too.
      void session?.detach().catch(() => undefined);
    }
  }

  async #stopBrowser(): Promise<void> {
    const context = this.#context;
    this.#context = undefined;
    this.#page = undefined;
    await context?.close().catch(() => undefined);
  }
}
