// Start-up shared by every way of running the kiosk (serve, the Chromium shell, the
// Electron shell), in a fixed order:
//   1. load and validate the config (refused as a whole, by key path);
//   2. register the tokens with the logger's scrubber;
//   3. start the embedded demo upstream when nothing else is configured;
//   4. start the local server and the uplink.
import { loadConfig, type ConfigSources } from '../server/config/load.ts';
import type { RuntimeConfig } from '../server/config/schema.ts';
import { ConfigError } from '../server/errors.ts';
import { startKioskServer, type KioskServer } from '../server/kiosk-server.ts';
import type { Logger } from '../server/logger.ts';
import { RENDERER_DIR, VERSION } from '../server/package-info.ts';

export interface RuntimeOptions extends ConfigSources {
  logger: Logger;
  /** The logger's set of values to scrub; tokens and the launch key are added to it. */
  secrets: Set<string>;
  rendererDir?: string;
}

export interface Runtime {
  config: RuntimeConfig;
  configFile: string | undefined;
  demo: boolean;
  server: KioskServer;
  close(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger, secrets } = options;
  const loaded = loadConfig(options);
  for (const warning of loaded.warnings) logger.warn(warning);
  const { upstream } = loaded.config;
  if (upstream === undefined) {
    throw new ConfigError(['upstream: not configured (give --config FILE or set KIOSK_WS_URL and KIOSK_API_URL)']);
  }
  secrets.add(upstream.ws.token);
  secrets.add(upstream.api.token);
  const config: RuntimeConfig = { ...loaded.config, upstream };

  const server = await startKioskServer({
    config,
    version: VERSION,
    logger,
    rendererDir: options.rendererDir ?? RENDERER_DIR,
    secrets,
  });
  logger.info(
    {
      version: VERSION,
      kioskId: config.kioskId,
      config: loaded.file ?? null,
      origin: server.origin,
      upstreamWs: new URL(config.upstream.ws.url).host,
      upstreamApi: new URL(config.upstream.api.url).host,
    },
    'kiosk-shell started',
  );
  return {
    config,
    configFile: loaded.file,
    demo: loaded.demo,
    server,
    close: () => server.close(),
  };
}
