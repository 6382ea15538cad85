// The Chromium shell: the kiosk drives the system's Chromium through the DevTools protocol
// (playwright-core, which downloads nothing when given an executable). IT can run the
// kiosk where Electron is not installed, and the whole kiosk runs — and is tested — where
// the Electron binary cannot be downloaded.
//
// Per page, over its own CDP session, the shell installs two scripts that run before any
// of the page's own on every document:
//   - in the page's world, the launch key into the URL fragment (where the page takes it
//     from and scrubs it at once): every load, a reload or a wiped session included, finds
//     its key without the shell navigating with it or the page storing it;
//   - in an isolated world of the shell's, the page agent (page-agent.ts): real input
//     reported through a binding only that world has, and the black cover that swallows
//     input while the display is off.
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { KioskError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { DisplayPower } from '../protocol/page.ts';
import type { PagesPort } from '../server/relay.ts';
import { installPageAgent, type AgentReport } from '../sdk/page-agent.ts';
import { outsideOrigin } from './outside-origin.ts';
import { fitScreenshot } from './screenshot-fit.ts';
import type { Screenshot, ScreenshotRequest, Shell, ShellEvents, ShellRendererState } from './shell.ts';
import { X11Display } from './x11-display.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

/**
 * Chromium honours only the last --disable-features it is given, and the shell's comes
 * after playwright-core's: so it repeats playwright's list (which keeps Chromium from
 * calling Google at start-up and keeps HTTP on HTTP; test/e2e/kiosk-window.test.ts fails
 * when a playwright update adds one this lacks) and adds the kiosk's own. All but
 * PaintHolding, which playwright turns off for its tests and a kiosk wants: the old
 * frame stays on screen until a reloaded page paints, no blank frame in between.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];
const KIOSK_DISABLED_FEATURES = ['Translate'];
/** Playwright's, left on. */
export const KEPT_FEATURES = ['PaintHolding'];

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
  // Never benchmark the machine for on-device AI: Chromium would start a model-service
  // process (~50 MiB) a few minutes in, for nothing a kiosk page uses. 8 is "GPU blocked"
  // in Chromium's OnDeviceModelPerformanceClass: a class given here is not measured.
  '--optimization-guide-performance-class=8',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...KIOSK_DISABLED_FEATURES].join(',')}`,
  '--disable-pinch',
  '--overscroll-history-navigation=0',
  '--password-store=basic',
  '--autoplay-policy=no-user-gesture-required',
];

/** The shell's isolated world in the page, and the binding only that world can call. */
const AGENT_WORLD = 'kiosk-shell';
const AGENT_BINDING = '__kioskShellReport';
const AGENT_SETTER = '__kioskShellSetPower';
/** How much more CPU time the page's renderer may have used between the two readings. */
const CPU_MATCH_SECONDS = 0.25;
/** Both readings are rounded to 10 ms. */
const CPU_ROUNDING_SECONDS = 0.02;
/** How long one CDP request may take before the shell gives up on it. */
const CDP_TIMEOUT_MS = 10_000;

export interface ChromiumShellOptions {
  /** The page to show: the kiosk origin's root (or a data: URL for the diagnostic screen). */
  url: string;
  /** The kiosk's own origin: the only one the browser may load anything from. */
  origin: string;
  /** The launch key, put into each of the kiosk page's documents; none for a page that needs none. */
  key?: string;
  /** The kiosk's pages, for what only the page can do (go home). */
  pages?: PagesPort;
  executablePath: string;
  headless: boolean;
  logger: Logger;
  /** A normal window (with devtools available) instead of kiosk mode. */
  dev?: boolean;
  /** Window size when not fullscreen (headless, dev). */
  viewport?: { width: number; height: number };
  /** Extra Chromium flags (tests pass --disable-gpu). */
  extraArgs?: readonly string[];
  /** The X display, for powering the panel down (default $DISPLAY; none when headless). */
  display?: string;
}

/** The system Chromium: $KIOSK_CHROMIUM_PATH, or the first of the usual places that exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KIOSK_CHROMIUM_PATH) return existsSync(env.KIOSK_CHROMIUM_PATH) ? env.KIOSK_CHROMIUM_PATH : undefined;
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

/** What the shell needs of the kiosk server it shows. */
export interface KioskServerSide {
  origin: string;
  key: string;
  relay: { pages: PagesPort };
}

interface PageSession {
  page: Page;
  cdp: CDPSession;
  /** The shell's isolated world in the current main-frame document, once it exists. */
  agentContext: number | undefined;
  agentScript: string | undefined;
}

export class ChromiumShell extends EventEmitter<ShellEvents> implements Shell {
  readonly kind = 'chromium' as const;
  readonly #options: ChromiumShellOptions;
  readonly #profileDir: string;
  readonly #x11: X11Display;
  #context: BrowserContext | undefined;
  #session: PageSession | undefined;
  /** The browser's own CDP session (process info), made once per browser. */
  #browserCdp: { browser: Browser; session: Promise<CDPSession> } | undefined;
  #saidHeapOnly = false;
  #crashed = false;
  #closing = false;
  #power: DisplayPower = 'on';

  private constructor(options: ChromiumShellOptions) {
    super();
    this.#options = options;
    // A fresh profile per launch: no state from a previous run (cookies, cache, crash bubbles).
    this.#profileDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-shell-chromium-'));
    this.#x11 = new X11Display(options.headless ? undefined : (options.display ?? process.env.DISPLAY), options.logger);
  }

  /** A shell whose window is not open yet (open() does that, once the kiosk listens). */
  static create(options: ChromiumShellOptions): ChromiumShell {
    return new ChromiumShell(options);
  }

  /** The shell of a kiosk server: its root page, nothing outside its origin, its launch key and pages. */
  static forServer(server: KioskServerSide, options: Omit<ChromiumShellOptions, 'url' | 'origin' | 'key' | 'pages'>): ChromiumShell {
    return new ChromiumShell({ ...options, url: `${server.origin}/`, origin: server.origin, key: server.key, pages: server.relay.pages });
  }

  /** A shell with its window open (the diagnostic screen, tools). */
  static async launch(options: ChromiumShellOptions): Promise<ChromiumShell> {
    const shell = new ChromiumShell(options);
    await shell.open();
    return shell;
  }

  /** The page Chromium shows (for tests and diagnostics). */
  get page(): Page | undefined {
    return this.#session?.page;
  }

  async open(): Promise<void> {
    await this.#start();
  }

  async reload(): Promise<void> {
    const page = this.#session?.page;
    if (page === undefined || page.isClosed() || this.#crashed) return this.recreate();
    this.emit('loading');
    try {
      // Only the navigation's commit is awaited: the page's own scripts may be hung.
      await page.reload({ waitUntil: 'commit', timeout: CDP_TIMEOUT_MS });
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'chromium: reload did not commit; recreating the page');
      await this.recreate();
    }
  }

  async home(id: string): Promise<void> {
    await this.#wipe();
    this.#options.pages?.tell({ type: 'local.home', id });
  }

  async clearSession(): Promise<void> {
    await this.#wipe();
    await this.reload();
  }

  async screenshot(request: ScreenshotRequest): Promise<Screenshot> {
    const session = this.#session;
    if (session === undefined || session.page.isClosed()) throw new KioskError('E_SHELL_ACTION', 'no-page');
    if (this.#crashed) throw new KioskError('E_SHELL_ACTION', 'renderer-crashed');
    const { cdp } = session;
    try {
      const metrics = await withTimeout(cdp.send('Page.getLayoutMetrics'));
      const { clientWidth, clientHeight } = metrics.cssLayoutViewport;
      return await fitScreenshot(
        async (scale, quality) => {
          const shot = await withTimeout(
            cdp.send('Page.captureScreenshot', {
              format: 'jpeg',
              quality,
              clip: { x: 0, y: 0, width: clientWidth, height: clientHeight, scale },
              captureBeyondViewport: false,
            }),
          );
          return Buffer.from(shot.data, 'base64');
        },
        clientWidth,
        request,
      );
    } catch (error) {
      if (error instanceof KioskError) throw error;
      throw new KioskError('E_SHELL_ACTION', this.#crashed ? 'renderer-crashed' : 'capture-failed', { cause: error });
    }
  }

  async setDisplay(power: DisplayPower): Promise<void> {
    this.#power = power;
    const session = this.#session;
    if (session !== undefined) {
      // New documents start in this state; the current one changes now.
      await this.#installAgent(session).catch((error: unknown) => this.#options.logger.warn({ err: error }, 'chromium: could not update the page agent'));
      if (session.agentContext !== undefined) {
        await withTimeout(
          session.cdp.send('Runtime.evaluate', { expression: `globalThis.${AGENT_SETTER}?.(${JSON.stringify(power)})`, contextId: session.agentContext }),
        ).catch((error: unknown) => this.#options.logger.warn({ err: error }, 'chromium: could not reach the page agent'));
      }
    }
    await this.#x11.setPower(power);
  }

  async recreate(): Promise<void> {
    const context = this.#context;
    if (context === undefined) return this.relaunch();
    const old = this.#session;
    this.#session = undefined;
    await old?.page.close({ runBeforeUnload: false }).catch(() => undefined);
    await this.#openPage(context);
  }

  async relaunch(): Promise<void> {
    await this.#stopBrowser();
    await this.#start();
  }

  rendererState(): ShellRendererState {
    return this.#crashed ? 'crashed' : undefined;
  }

  /**
   * The memory of the page's renderer process, as Electron's getAppMetrics and the browser's
   * own out-of-memory kill count it (resident set): the JavaScript heap is only part of what an
   * always-on page grows (DOM, layout, decoded images, array buffers and the allocator live
   * beside it). The page's renderer is the one whose CPU time is the page's own ProcessTime
   * (the protocol names no pid for a page). Where that does not single one out, or /proc
   * cannot be read, the page's JavaScript heap (Performance.getMetrics), said once in the log.
   */
  async rendererMemoryMB(): Promise<number | undefined> {
    const session = this.#session;
    if (session === undefined || this.#crashed) return undefined;
    let metrics: { name: string; value: number }[];
    try {
      ({ metrics } = await withTimeout(session.cdp.send('Performance.getMetrics'), 5000));
    } catch {
      return undefined;
    }
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value;
    const cpu = metric('ProcessTime') ?? 0;
    // A renderer that cannot read its own CPU time (a sandbox without /proc) reports 0.
    const resident = cpu > 0 ? await this.#rendererResidentMiB(cpu) : undefined;
    if (resident !== undefined) return resident;
    if (cpu <= 0 && !this.#saidHeapOnly) {
      this.#saidHeapOnly = true;
      this.#options.logger.warn("chromium: cannot tell the page's renderer process here; the memory limit is checked against the page's JavaScript heap");
    }
    const heap = metric('JSHeapTotalSize');
    return heap === undefined ? undefined : heap / 1024 / 1024;
  }

  /**
   * The resident memory of the renderer whose CPU time is `cpuSeconds`, if exactly one is
   * (two renderers a moment apart in CPU time, as just after a start, leave this sample to the heap).
   */
  async #rendererResidentMiB(cpuSeconds: number): Promise<number | undefined> {
    const browser = this.#context?.browser();
    if (browser === null || browser === undefined) return undefined;
    try {
      if (this.#browserCdp?.browser !== browser) this.#browserCdp = { browser, session: withTimeout(browser.newBrowserCDPSession(), 5000) };
      const cached = this.#browserCdp;
      const cdp = await cached.session.catch((error: unknown) => {
        if (this.#browserCdp === cached) this.#browserCdp = undefined;
        throw error;
      });
      const { processInfo } = await withTimeout(cdp.send('SystemInfo.getProcessInfo'), 5000);
      // Read after the page's figure: its own renderer has used as much CPU since, or a little more.
      const matches = processInfo.filter(
        (p) => p.type === 'renderer' && p.cpuTime >= cpuSeconds - CPU_ROUNDING_SECONDS && p.cpuTime <= cpuSeconds + CPU_MATCH_SECONDS && !isBrowserUi(p.id),
      );
      return matches.length === 1 ? residentMiB(matches[0]!.id) : undefined;
    } catch {
      return undefined;
    }
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
        ...(this.#options.display === undefined ? {} : { env: { ...process.env, DISPLAY: this.#options.display } }),
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
    // Once the browser holds the X display: a server with no client left resets its settings.
    await this.#x11.setPower(this.#power);
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
    // A RegExp, not a function: see outside-origin.ts (a function route keeps objects of every request).
    await context.route(
      outsideOrigin(origin),
      (route) => {
        logger.warn({ url: new URL(route.request().url()).origin }, 'chromium: blocked a request outside the kiosk origin');
        void route.abort('blockedbyclient');
      },
    );
    context.on('page', (page) => {
      const current = this.#session?.page;
      if (page !== current && current !== undefined) void page.close();
    });
  }

  async #openPage(context: BrowserContext, reuse?: Page): Promise<void> {
    const { url, logger } = this.#options;
    const page = reuse ?? (await context.newPage());
    this.#crashed = false;
    page.on('crash', () => {
      if (this.#session?.page !== page) return;
      this.#crashed = true;
      this.emit('failure', 'crashed', 'renderer crashed');
    });
    page.on('dialog', (dialog) => void dialog.dismiss());
    const session = await this.#prepare(context, page);
    this.#session = session;
    if (!this.#options.headless && !this.#options.dev) await this.#fillScreen(session);
    this.emit('loading');
    try {
      await page.goto(url, { waitUntil: 'commit', timeout: 15_000 });
    } catch (error) {
      if (this.#session !== session) return;
      logger.warn({ err: error }, 'chromium: the kiosk page failed to load');
      this.emit('failure', 'load-failed', 'navigation failed');
    }
  }

  /** The page's CDP session: the launch key and the page agent for every document to come. */
  async #prepare(context: BrowserContext, page: Page): Promise<PageSession> {
    const cdp = await withTimeout(context.newCDPSession(page));
    const session: PageSession = { page, cdp, agentContext: undefined, agentScript: undefined };
    const { frameTree } = await withTimeout(cdp.send('Page.getFrameTree'));
    const mainFrame = frameTree.frame.id;
    cdp.on('Runtime.executionContextCreated', ({ context: created }) => {
      const aux = created.auxData as { frameId?: string } | undefined;
      if (created.name === AGENT_WORLD && aux?.frameId === mainFrame) session.agentContext = created.id;
    });
    cdp.on('Runtime.executionContextsCleared', () => {
      session.agentContext = undefined;
    });
    cdp.on('Runtime.bindingCalled', ({ name, payload }) => {
      if (name !== AGENT_BINDING || this.#session !== session) return;
      const report = payload as AgentReport;
      if (report === 'input' || report === 'wake') this.emit(report);
    });
    // Scripts for new documents run only on a session with the Page domain enabled.
    await withTimeout(cdp.send('Page.enable'));
    await withTimeout(cdp.send('Runtime.enable'));
    await withTimeout(cdp.send('Performance.enable'));
    await withTimeout(cdp.send('Runtime.addBinding', { name: AGENT_BINDING, executionContextName: AGENT_WORLD }));
    const { key, origin } = this.#options;
    if (key !== undefined) {
      const source = `(() => { if (window !== window.top || location.origin !== ${JSON.stringify(origin)} || /(^#|&)key=/.test(location.hash)) return;
        history.replaceState(history.state, '', location.pathname + location.search + '#key=' + ${JSON.stringify(encodeURIComponent(key))}); })();`;
      await withTimeout(cdp.send('Page.addScriptToEvaluateOnNewDocument', { source }));
    }
    await this.#installAgent(session);
    return session;
  }

  /** (Re)registers the page agent for new documents, starting in the current display power. */
  async #installAgent(session: PageSession): Promise<void> {
    const { cdp } = session;
    if (session.agentScript !== undefined) await withTimeout(cdp.send('Page.removeScriptToEvaluateOnNewDocument', { identifier: session.agentScript }));
    const source = `globalThis.${AGENT_SETTER} = (${installPageAgent.toString()})(window, (what) => globalThis.${AGENT_BINDING}(what), ${JSON.stringify(this.#power)});`;
    const { identifier } = await withTimeout(cdp.send('Page.addScriptToEvaluateOnNewDocument', { source, worldName: AGENT_WORLD }));
    session.agentScript = identifier;
  }

  /** Wipes the kiosk origin's storage, cookies and caches (the key lives in the shell, not there). */
  async #wipe(): Promise<void> {
    const session = this.#session;
    if (session === undefined) throw new KioskError('E_SHELL_ACTION', 'no-page');
    const { cdp } = session;
    const origin = this.#options.origin;
    try {
      await withTimeout(cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' }));
      await withTimeout(cdp.send('Network.clearBrowserCache'));
      await withTimeout(cdp.send('Network.clearBrowserCookies'));
      await withTimeout(cdp.send('DOMStorage.enable'));
      await withTimeout(cdp.send('DOMStorage.clear', { storageId: { securityOrigin: origin, isLocalStorage: false } }));
      await withTimeout(cdp.send('DOMStorage.clear', { storageId: { securityOrigin: origin, isLocalStorage: true } }));
    } catch (error) {
      throw new KioskError('E_SHELL_ACTION', 'wipe-failed', { cause: error });
    }
  }

  /**
   * With no window manager (a bare X session, as many kiosks run), `--kiosk` leaves the
   * window at Chromium's default size in a corner: Chromium believes it is fullscreen, but
   * nothing made it so. Size the window to the screen when it does not cover it. (Chromium
   * keeps an X11 window one pixel short of the screen, so that is what "covers" allows.)
   */
  async #fillScreen({ cdp, page }: PageSession): Promise<void> {
    const { logger } = this.#options;
    try {
      const { windowId, bounds } = await withTimeout(cdp.send('Browser.getWindowForTarget'), 5000);
      const screen = await withTimeout(page.evaluate(() => ({ width: window.screen.width, height: window.screen.height })), 5000);
      const covers = (b: typeof bounds) =>
        (b.left ?? 0) <= 0 && (b.top ?? 0) <= 0 && (b.width ?? 0) >= screen.width - 1 && (b.height ?? 0) >= screen.height - 1;
      if (covers(bounds)) return;
      // Bounds can be set only on a normal window; fullscreen again keeps kiosk mode's look.
      for (const next of [{ windowState: 'normal' }, { left: 0, top: 0, width: screen.width, height: screen.height }, { windowState: 'fullscreen' }] as const) {
        await withTimeout(cdp.send('Browser.setWindowBounds', { windowId, bounds: next }), 5000);
      }
      logger.info({ screen, was: bounds }, 'chromium: sized the kiosk window to the screen (no window manager made it fullscreen)');
    } catch (error) {
      // A browser that does not answer must not hold up the page's load: it loads regardless.
      logger.warn({ err: error }, 'chromium: could not size the kiosk window to the screen');
    }
  }

  async #stopBrowser(): Promise<void> {
    const context = this.#context;
    this.#context = undefined;
    this.#session = undefined;
    await context?.close().catch(() => undefined);
  }
}

/** The browser's own UI (a top-chrome WebUI renderer) or an extension's renderer: never the page's. */
function isBrowserUi(pid: number): boolean {
  try {
    // Chromium rewrites its children's command lines into one space-separated string.
    return /(^|[\0 ])--(top-chrome-webui|extension-process)([\0 ]|$)/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/** A process's resident memory in MiB from /proc; undefined where /proc cannot say (not Linux, gone). */
function residentMiB(pid: number): number | undefined {
  try {
    const kB = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kB === undefined ? undefined : Number(kB) / 1024;
  } catch {
    return undefined;
  }
}

/** A CDP request that does not answer within `ms` fails (a hung browser must not hang the kiosk). */
function withTimeout<T>(request: Promise<T>, ms = CDP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Chromium within ${ms / 1000} s`)), ms);
  });
  return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
}
