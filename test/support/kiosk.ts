// Starts the real kiosk server against real upstream fixtures, with its log captured.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../core/config/load.ts';
import type { RuntimeConfig } from '../../core/config/schema.ts';
import type { AdmissionLimits } from '../../server/admission.ts';
import { startKioskServer, type KioskServer, type KioskServerOptions } from '../../server/kiosk-server.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { ApiUpstream } from './upstream-api.ts';
import { WsUpstream } from './upstream-ws.ts';

export const FIXTURE_RENDERER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'renderer');

export function newToken(label: string): string {
  return `Token ${label}${randomBytes(20).toString('hex')}`;
}

/** Captured log lines, parsed. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  get text(): string {
    return this.lines.join('');
  }
}

export interface TestKiosk {
  server: KioskServer;
  config: RuntimeConfig;
  upstreamWs: WsUpstream;
  upstreamApi: ApiUpstream;
  log: LogCapture;
  logger: Logger;
  wsToken: string;
  apiToken: string;
  close(): Promise<void>;
}

type Layer = Record<string, unknown>;

export interface TestKioskOptions {
  /** The UI served at / (default: the small fixture page). */
  rendererDir?: string;
  /**
   * false: the logger is not told the tokens or the launch key, so its last-resort
   * scrubbing is off and a log line shows whatever the code put in it (default true).
   */
  scrubLogs?: boolean;
  /** Connection budgets (server/admission.ts), lowered to reach them with fewer sockets. */
  admission?: AdmissionLimits;
  /** The offline content cache's folder (none by default: nothing kept). */
  offlineCacheDir?: string;
  /** At most this many offline copies, lowered to reach the bound with fewer requests. */
  offlineCacheEntries?: number;
}

/** A kiosk whose upstreams are fresh fixtures; `overrides` is a config layer on top. */
export async function startTestKiosk(
  overrides: Layer = {},
  upstreams: { ws?: WsUpstream; api?: ApiUpstream } = {},
  options: TestKioskOptions = {},
): Promise<TestKiosk> {
  const wsToken = upstreams.ws?.token ?? newToken('ws');
  const apiToken = newToken('api');
  const upstreamWs = upstreams.ws ?? (await new WsUpstream({ token: wsToken }).start());
  const upstreamApi = upstreams.api ?? (await new ApiUpstream().start());
  const base: Layer = {
    kioskId: 'lobby-1',
    groups: ['lobby', 'floor-1'],
    upstream: {
      ws: { url: upstreamWs.url, token: wsToken, heartbeatSeconds: 1, reconnectBaseMs: 50, reconnectCapMs: 200 },
      api: { url: upstreamApi.url, token: apiToken, timeoutSeconds: 1 },
    },
  };
  const { config } = loadConfig({ env: {}, cli: merge(base, overrides) });
  if (config.upstream === undefined) throw new Error('test kiosk needs upstreams');
  const runtimeConfig: RuntimeConfig = { ...config, upstream: config.upstream };
  const log = new LogCapture();
  const scrub = options.scrubLogs ?? true;
  const secrets = new Secrets([wsToken, apiToken]);
  const logger = createLogger({ destination: log, secrets: scrub ? secrets : new Secrets(), level: 'debug' });
  const server = await startKioskServer({
    ...serverHooks(runtimeConfig, '0.0.0-test'),
    config: runtimeConfig,
    version: '0.0.0-test',
    logger,
    rendererDir: options.rendererDir ?? FIXTURE_RENDERER,
    secrets,
    ...(options.admission === undefined ? {} : { admission: options.admission }),
    ...(options.offlineCacheDir === undefined ? {} : { offlineCacheDir: options.offlineCacheDir }),
    ...(options.offlineCacheEntries === undefined ? {} : { offlineCacheEntries: options.offlineCacheEntries }),
  });
  return {
    server,
    config: runtimeConfig,
    upstreamWs,
    upstreamApi,
    log,
    logger,
    wsToken,
    apiToken,
    async close() {
      await server.close();
      await Promise.all([upstreamWs.kill(), upstreamApi.stop()]);
    },
  };
}

/** What the kiosk side hands the server: the uplink's hello and the page's settings, as the runtime makes them. */
export function serverHooks(config: RuntimeConfig, version: string): Pick<KioskServerOptions, 'hello' | 'greet'> {
  return {
    hello: () => ({ type: 'kiosk.hello', kiosk: config.kioskId, groups: config.groups, version }),
    greet: () => ({ idleReturnHomeSeconds: config.idle.returnHomeSeconds, hideCursor: config.display.hideCursor }),
  };
}

function merge(lower: Layer, higher: Layer): Layer {
  const result: Layer = { ...lower };
  for (const [key, value] of Object.entries(higher)) {
    const below = result[key];
    const isObject = (v: unknown): v is Layer => typeof v === 'object' && v !== null && !Array.isArray(v);
    result[key] = isObject(value) && isObject(below) ? merge(below, value) : value;
  }
  return result;
}
