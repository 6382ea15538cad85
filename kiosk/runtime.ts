// Start-up shared by every way of running the kiosk (serve, the Chromium shell, the
// Electron shell), in a fixed order:
//   1. load and validate the config (refused as a whole, by key path);
//   2. register the tokens with the logger's scrubber, then open the log file, whose first
//      line says what started (version, config file, shell, upstream hosts);
//   3. start the embedded demo upstream when no upstream is configured anywhere, and
//      load the config again with it as the lowest layer;
//   4. start the local server and the uplink;
//   5. (the caller makes a shell for the server's origin and attaches it: the kiosk starts
//      listening to the shell, then the shell opens its window).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { demoDefaults, loadConfig, type ConfigSources, type LoadedConfig } from '../core/config/load.ts';
import type { RuntimeConfig } from '../core/config/schema.ts';
import { startKioskServer, type KioskServer } from '../server/kiosk-server.ts';
import { OFFLINE_CACHE_FOLDER } from '../server/offline-cache.ts';
import { flushLogs, logToFiles, type Logger } from '../core/logger.ts';
import type { Secrets } from '../core/secret-forms.ts';
import { RENDERER_DIR, VERSION } from '../core/package-info.ts';
import { startDemoUpstream, type DemoUpstream } from './demo/demo-upstream.ts';
import { defaultLogDir, defaultStateDir } from './machine-paths.ts';
import { Kiosk } from './kiosk.ts';
import type { Shell, ShellKind } from './shell.ts';
import { writeStateFile } from './state-file.ts';

export const DEMO_STATE_FILE = 'demo-upstream.json';

export interface RuntimeOptions extends ConfigSources {
  logger: Logger;
  /**
   * The logger's secrets; the tokens, the launch key and the demo's publisher token are
   * added to it, and the server, the relay and the controller match against it too.
   */
  secrets: Secrets;
  /** What will show the page; named in the log's first line. */
  shell: ShellKind;
  rendererDir?: string;
  /** Developing a UI: its files are served uncached. */
  dev?: boolean;
}

export interface Runtime {
  config: RuntimeConfig;
  configFile: string | undefined;
  stateDir: string;
  /** The embedded demo upstream, when the kiosk runs on it. */
  demo: DemoUpstream | undefined;
  server: KioskServer;
  /** Hands the page to a shell: starts the kiosk that runs commands and heals through it, then opens the shell. */
  attach(shell: Shell): Promise<Kiosk>;
  /** Stops the kiosk, the shell, the server and the demo, in that order. */
  close(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger, secrets } = options;
  let loaded: LoadedConfig = loadConfig(options);
  const { upstream: configured, kioskId, log } = loaded.config;
  if (configured !== undefined) secrets.add(configured.ws.token).add(configured.api.token);
  // Browsers and other children inherit the environment: tokens given there stop here.
  if (options.env === undefined || options.env === process.env) {
    delete process.env.KIOSK_WS_TOKEN;
    delete process.env.KIOSK_API_TOKEN;
  }
  const paths = options.env ? { env: options.env } : {};
  const stateDir = loaded.config.stateDir ?? defaultStateDir(paths);
  logger.setBindings({ kiosk: kioskId });
  const logFile = logToFiles(logger, { dir: log.dir ?? defaultLogDir(paths), maxFileMB: log.maxFileMB, keepFiles: log.keepFiles });
  logger.info(
    {
      version: VERSION,
      config: loaded.file ?? null,
      shell: options.shell,
      upstreamWs: configured ? new URL(configured.ws.url).host : 'embedded demo',
      upstreamApi: configured ? new URL(configured.api.url).host : 'embedded demo',
      ui: loaded.config.ui.dir ?? 'bundled City Hall UI',
      logFile: logFile ?? null,
      node: process.versions.node,
    },
    'kiosk-shell starting',
  );
  for (const warning of loaded.warnings) logger.warn(warning);

  let demo: DemoUpstream | undefined;
  if (loaded.demo) {
    demo = await startDemoUpstream({ logger, screenshotDir: path.join(stateDir, 'demo-screenshots') });
    loaded = loadConfig({ ...options, defaults: demoDefaults({ wsUrl: demo.wsUrl, apiUrl: demo.apiUrl, token: demo.kioskToken }) });
    secrets.add(demo.publisherToken);
    writeStateFile(path.join(stateDir, DEMO_STATE_FILE), { publishUrl: demo.publishUrl, publisherToken: demo.publisherToken, pid: process.pid });
    logger.info({ hint: 'npm run reset' }, 'no upstream configured: running on the embedded demo upstream');
  }
  const { upstream } = loaded.config;
  if (upstream === undefined) throw new Error('unreachable: a loaded config without a demo has upstreams');
  secrets.add(upstream.ws.token).add(upstream.api.token);
  const config: RuntimeConfig = { ...loaded.config, upstream };

  let server: KioskServer;
  let kiosk: Kiosk | undefined;
  try {
    server = await startKioskServer({
      config,
      version: VERSION,
      logger,
      rendererDir: options.rendererDir ?? config.ui.dir ?? RENDERER_DIR,
      dev: options.dev ?? false,
      secrets,
      hello: () => ({ type: 'kiosk.hello', kiosk: config.kioskId, groups: config.groups, version: VERSION }),
      greet: () => ({ idleReturnHomeSeconds: config.idle.returnHomeSeconds, hideCursor: config.display.hideCursor }),
      statusOf: () => (kiosk === undefined ? {} : { kiosk: kiosk.stats }),
      offlineCacheDir: path.join(stateDir, OFFLINE_CACHE_FOLDER),
    });
  } catch (error) {
    await demo?.close();
    throw error;
  }
  logger.info({ origin: server.origin, demo: demo !== undefined }, 'kiosk-shell ready');
  let attached: Shell | undefined;
  return {
    config,
    configFile: loaded.file,
    stateDir,
    demo,
    server,
    async attach(shell) {
      kiosk = new Kiosk({
        relay: server.relay,
        shell,
        config,
        version: VERSION,
        logger,
        stateDir,
        lastApiOkAt: () => server.status().api.lastOkAt,
        secrets,
      });
      kiosk.start();
      attached = shell;
      await shell.open();
      return kiosk;
    },
    async close() {
      kiosk?.stop();
      await attached?.close();
      await server.close();
      if (demo !== undefined) {
        await demo.close();
        rmSync(path.join(stateDir, DEMO_STATE_FILE), { force: true });
      }
    },
  };
}

export interface SignalStop {
  /** The runtime to close on a stop; a stop that came before it is carried out now. */
  attach(runtime: Runtime): void;
  /** A stop was requested: do not announce the kiosk as ready. */
  readonly stopping: boolean;
}

/** What the log file's flush is left of the stop budget, at least. */
const FLUSH_RESERVE_MS = 400;

/**
 * A supervisor's stop (SIGTERM, or Ctrl-C): the runtime closes in order, then the log file
 * is flushed, and the process exits 0 within 2 s whatever happens. Install it before the
 * ready line (or before start-up): a stop right after ready must be a clean one, and a
 * supervisor reads ready as "may be stopped now".
 */
export function closeOnSignals(logger: Logger, deadlineMs = 1800): SignalStop {
  let runtime: Runtime | undefined;
  let closeAttached: ((runtime: Runtime) => void) | undefined;
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    const started = Date.now();
    setTimeout(() => process.exit(0), deadlineMs).unref();
    closeAttached = (attached) => {
      const closeBudget = Math.max(0, deadlineMs - FLUSH_RESERVE_MS - (Date.now() - started));
      void withTimeout(attached.close(), closeBudget)
        .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'))
        .then(() => flushLogs(logger, Math.max(0, deadlineMs - 50 - (Date.now() - started))))
        .finally(() => process.exit(0));
    };
    if (runtime !== undefined) closeAttached(runtime);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return {
    attach(attached) {
      runtime = attached;
      closeAttached?.(attached);
    },
    get stopping() {
      return closeAttached !== undefined;
    },
  };
}

/** `promise`, or nothing once `ms` have passed. */
function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}
