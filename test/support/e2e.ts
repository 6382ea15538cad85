// A whole kiosk for end-to-end tests: the embedded demo upstream (content API and pub/sub
// hub, both demanding their token), the real server and kiosk side, and either the real
// Chromium shell driving Debian's Chromium (headless, or fullscreen on an X display), or —
// as under `kiosk-shell serve` — the headless shell with a browser it does not drive.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ChromiumShell, findChromium } from '../../kiosk/chromium-shell.ts';
import { startDemoUpstream, type DemoUpstream } from '../../kiosk/demo/demo-upstream.ts';
import { loadConfig } from '../../core/config/load.ts';
import type { RuntimeConfig } from '../../core/config/schema.ts';
import { startKioskServer, type KioskServer } from '../../server/kiosk-server.ts';
import { OFFLINE_CACHE_FOLDER } from '../../server/offline-cache.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { RENDERER_DIR } from '../../core/package-info.ts';
import { HeadlessShell } from '../../kiosk/headless-shell.ts';
import { Kiosk } from '../../kiosk/kiosk.ts';
import { LogCapture, serverHooks } from './kiosk.ts';
import { freePort } from './ports.ts';

export const CHROMIUM_FLAGS = ['--disable-gpu'];

export interface E2eKiosk {
  demo: DemoUpstream | undefined;
  server: KioskServer;
  kiosk: Kiosk;
  /** The Chromium shell (undefined under the headless shell). */
  shell: ChromiumShell | undefined;
  config: RuntimeConfig;
  log: LogCapture;
  logger: Logger;
  /** The page Chromium shows now (it changes when the shell recreates it). */
  page(): Page;
  /** Starts the demo upstream (when the kiosk was started without one) on its port. */
  startUpstream(): Promise<DemoUpstream>;
  close(): Promise<void>;
}

export interface E2eOptions {
  overrides?: Record<string, unknown>;
  /** Start with the upstream down (its port reserved but closed). */
  upstreamDown?: boolean;
  /** A real site's upstream (e.g. Django) instead of the embedded demo. */
  upstream?: { wsUrl: string; apiUrl: string; token: string };
  /** An X display (Xvfb) to show the kiosk on, fullscreen as on a kiosk; headless without one. */
  display?: string;
  /** Where the kiosk keeps its command journal and, as the runtime does, its offline content cache (default: in memory, no cache). */
  stateDir?: string;
  /** `headless`: the shell of `serve`, the page in a browser of the test's (default: the Chromium shell). */
  shell?: 'chromium' | 'headless';
  /** The kiosk side's clock (default the real one): a schedule test sets it just before a full minute. */
  now?: () => number;
}

export async function startE2eKiosk(options: E2eOptions = {}): Promise<E2eKiosk> {
  if (!existsSync(`${RENDERER_DIR}/index.html`)) throw new Error('the kiosk UI is not built: run `npm run build` first');
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('Chromium is not installed: run scripts/setup.sh --test');
  const log = new LogCapture();
  const secrets = new Secrets();
  const logger = createLogger({ destination: log, secrets, level: 'debug' });

  // The upstream's address and token are fixed up front, so that a kiosk started while
  // its upstream is down finds it once it comes up.
  const port = await freePort();
  const token = options.upstream?.token ?? `Token e2e-${randomBytes(24).toString('hex')}`;
  let demo = options.upstreamDown || options.upstream ? undefined : await startDemoUpstream({ logger, port, kioskToken: token });
  const base = `127.0.0.1:${port}`;
  const wsUrl = options.upstream?.wsUrl ?? `ws://${base}/ws/kiosk/`;
  const apiUrl = options.upstream?.apiUrl ?? `http://${base}/api/`;
  const { config } = loadConfig({
    env: {},
    cli: {
      kioskId: 'lobby-1',
      groups: ['lobby'],
      upstream: {
        ws: { url: wsUrl, token, reconnectBaseMs: 100, reconnectCapMs: 400 },
        api: { url: apiUrl, token, timeoutSeconds: 3 },
      },
      reset: { minIntervalSeconds: 5 },
      ...options.overrides,
    },
  });
  if (config.upstream === undefined) throw new Error('unreachable');
  const runtimeConfig: RuntimeConfig = { ...config, upstream: config.upstream };
  secrets.add(token);
  const server = await startKioskServer({
    ...serverHooks(runtimeConfig, '0.0.0-e2e'),
    config: runtimeConfig,
    version: '0.0.0-e2e',
    logger,
    rendererDir: runtimeConfig.ui.dir ?? RENDERER_DIR,
    secrets,
    ...(options.stateDir === undefined ? {} : { offlineCacheDir: path.join(options.stateDir, OFFLINE_CACHE_FOLDER) }),
  });
  let browser: Browser | undefined;
  let browserPage: Page | undefined;
  const chromiumShell =
    options.shell === 'headless'
      ? undefined
      : ChromiumShell.create({
          url: `${server.origin}/`,
          origin: server.origin,
          key: server.key,
          pages: server.relay.pages,
          executablePath,
          headless: options.display === undefined,
          logger,
          extraArgs: CHROMIUM_FLAGS,
          viewport: { width: 1920, height: 1080 },
          ...(options.display === undefined ? {} : { display: options.display }),
        });
  const shell = chromiumShell ?? new HeadlessShell(server.relay.pages);
  const kiosk = new Kiosk({
    relay: server.relay,
    shell,
    config: runtimeConfig,
    version: '0.0.0-e2e',
    logger,
    stateDir: options.stateDir,
    recovery: { baseDelayMs: 100, capDelayMs: 500 },
    lastApiOkAt: () => server.status().api.lastOkAt,
    scheduleTickMs: 500,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  kiosk.start();
  await shell.open();
  if (chromiumShell === undefined) {
    // What an operator does with `serve`: open the printed address in a browser.
    browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])] });
    browserPage = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await browserPage.goto(server.pageUrl);
  }

  return {
    get demo() {
      return demo;
    },
    server,
    kiosk,
    shell: chromiumShell,
    config: runtimeConfig,
    log,
    logger,
    page() {
      const page = chromiumShell?.page ?? browserPage;
      if (page === undefined) throw new Error('the shell has no page right now');
      return page;
    },
    async startUpstream() {
      demo = await startDemoUpstream({ logger, port, kioskToken: token });
      return demo;
    },
    async close() {
      kiosk.stop();
      await shell.close();
      await browser?.close();
      await server.close();
      await demo?.close();
    },
  };
}
