// The embedded server: binds loopback only, routes upgrades through the guard to the
// relay, serves the app, and shuts everything down in order.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Admission, HEAD_CHECK_INTERVAL_MS, HEAD_TIMEOUT_MS, type AdmissionLimits, type AdmissionStats } from './admission.ts';
import { createApiProxy, type ApiStats } from './api-proxy.ts';
import { createApp } from './app.ts';
import { MIB, OfflineCache } from './offline-cache.ts';
import type { RuntimeConfig } from '../core/config/schema.ts';
import type { PageSettings } from '../protocol/page.ts';
import type { HelloFrame } from '../protocol/upstream.ts';
import { KioskError } from '../core/errors.ts';
import { SDK_DIR } from '../core/package-info.ts';
import { Guard, type Refusal, type RefusalReason } from './guard.ts';
import { createLaunchKey } from './launch-key.ts';
import { rateLimitedLog, type Logger } from '../core/logger.ts';
import { Secrets } from '../core/secret-forms.ts';
import { Relay, type PagesPort, type RelayStats, type UpstreamPort } from './relay.ts';
import type { RendererHubStats } from './renderer-hub.ts';
import type { UplinkStats } from './uplink.ts';

/** Loopback only: the server must never be reachable from another machine. */
export const LOOPBACK = '127.0.0.1';

export interface KioskServerOptions {
  config: RuntimeConfig;
  version: string;
  logger: Logger;
  rendererDir: string;
  /**
   * What must never reach the page, a response or (when the logger shares it) a log line;
   * both tokens and the launch key are added to it.
   */
  secrets?: Secrets;
  /** Connection budgets (server/admission.ts); the defaults suit every kiosk, tests lower them. */
  admission?: AdmissionLimits;
  /** The first frame on every uplink connection (kiosk.hello). */
  hello: () => HelloFrame;
  /** The kiosk's settings for a page, sent in its local.hello. */
  greet: () => PageSettings;
  /** More for /status from whoever drives the relay (the kiosk's command counters). */
  statusOf?: () => Record<string, unknown>;
  /** The built page SDK served at /kiosk-shell/ (default: the package's dist/sdk). */
  sdkDir?: string;
  /** Development: the UI's files are served uncached. */
  dev?: boolean;
  /**
   * Where the offline copies of the API's answers are kept (server/offline-cache.ts; the
   * runtime puts them under the state folder); undefined keeps none.
   */
  offlineCacheDir?: string;
  /** At most this many copies (default OFFLINE_CACHE_MAX_ENTRIES); tests lower it. */
  offlineCacheEntries?: number;
}

export interface KioskStatus {
  kioskId: string;
  version: string;
  uptimeSeconds: number;
  uplink: UplinkStats;
  pages: RendererHubStats;
  relay: RelayStats;
  api: ApiStats;
  refused: Record<RefusalReason, number>;
  badRequests: number;
  connections: AdmissionStats;
  [more: string]: unknown;
}

export interface KioskServer {
  readonly port: number;
  /** http://127.0.0.1:PORT — the kiosk page's origin. */
  readonly origin: string;
  /** The page's address, launch key in the fragment (never sent to any server). */
  readonly pageUrl: string;
  readonly key: string;
  /** The relay's two ports: what the kiosk side drives. */
  readonly relay: { readonly upstream: UpstreamPort; readonly pages: PagesPort };
  status(): KioskStatus;
  close(): Promise<void>;
}

export async function startKioskServer(options: KioskServerOptions): Promise<KioskServer> {
  const { config, version, logger, rendererDir, hello, greet, statusOf } = options;
  const key = createLaunchKey();
  const secrets = options.secrets ?? new Secrets();
  secrets.add(config.upstream.ws.token).add(config.upstream.api.token).add(key);
  const startedAt = Date.now();
  let port = 0;
  const guard = new Guard(key, () => port);
  const refused: Record<RefusalReason, number> = {
    host: 0,
    origin: 0,
    'origin-missing': 0,
    'key-missing': 0,
    'key-wrong': 0,
    subprotocol: 0,
  };
  let badRequests = 0;
  const logRefusal = rateLimitedLog(logger);
  const refuse = (req: IncomingMessage, refusal: Refusal, upgrade: boolean) => {
    refused[refusal.reason]++;
    logRefusal(`refused-${refusal.reason}`, {
      status: refusal.status,
      method: req.method,
      // Express strips the mount point (/api) from req.url; originalUrl keeps it.
      path: ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0]?.slice(0, 200),
      upgrade,
    }, 'request refused by the guard');
  };

  const relay = new Relay({ config, logger, hello, greet, secrets });
  const admission = new Admission(options.admission);
  const offlineCache = new OfflineCache({
    dir: options.offlineCacheDir,
    maxBytes: config.upstream.api.offlineCacheMB * MIB,
    ...(options.offlineCacheEntries === undefined ? {} : { maxEntries: options.offlineCacheEntries }),
    kioskId: config.kioskId,
    upstreamUrl: config.upstream.api.url,
    secrets,
    logger,
  });
  const api = createApiProxy({ upstream: config.upstream.api, secrets, kioskId: config.kioskId, version, logger, offlineCache });
  const status = (): KioskStatus => ({
    ...statusOf?.(),
    kioskId: config.kioskId,
    version,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    uplink: relay.upstream.stats,
    pages: relay.pages.stats,
    relay: relay.stats,
    api: api.stats(),
    refused: { ...refused },
    badRequests,
    connections: admission.stats,
  });
  const app = createApp({
    guard,
    rendererDir,
    sdkDir: options.sdkDir ?? SDK_DIR,
    dev: options.dev ?? false,
    api: api.handler,
    status,
    onRefusal: (req, refusal) => refuse(req, refusal, false),
    onError: (error, req) => logger.error({ err: error, path: req.path }, 'request failed'),
  });

  const server: Server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      requestTimeout: 60_000,
      headersTimeout: HEAD_TIMEOUT_MS,
      connectionsCheckingInterval: HEAD_CHECK_INTERVAL_MS,
    },
    app,
  );
  server.keepAliveTimeout = 5_000;
  // Who keeps a socket (a local process opening thousands must neither exhaust the fds nor
  // lock the page out): decided per connection, before Express sees a request.
  server.on('connection', (socket: Duplex) => admission.admit(socket));
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
    admission.request(req.socket, res, guard.checkRequest(req, 'keyed') === undefined),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    const refusal = guard.checkUpgrade(req);
    if (refusal !== undefined) {
      refuse(req, refusal, true);
      rejectUpgrade(socket, refusal.status, { error: refusal.status === 401 ? 'unauthorized' : 'forbidden', reason: refusal.reason });
      return;
    }
    if (path !== '/ws') {
      rejectUpgrade(socket, 404, { error: 'not-found' });
      return;
    }
    if (!admission.upgrade(socket)) {
      rejectUpgrade(socket, 503, { error: 'too-many-connections' });
      return;
    }
    relay.accept(req, socket, head);
  });
  // Node would answer "100 Continue" by itself and go on; no browser sends Expect, and the
  // proxy library skips its header filter for such requests, so they end here.
  server.on('checkContinue', (_req: IncomingMessage, res: ServerResponse) => {
    badRequests++;
    res.writeHead(417, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"expectation-not-supported"}');
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Garbage on the port, oversized headers, a half-sent request: answer if we still can.
    badRequests++;
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
      socket.destroy(),
    );
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new KioskError(
          'E_LISTEN',
          error.code === 'EADDRINUSE'
            ? `port ${config.server.port} on ${LOOPBACK} is in use: stop what uses it or set server.port to 0`
            : `cannot listen on ${LOOPBACK}:${config.server.port}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host: LOOPBACK, port: config.server.port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  server.on('error', (error) => logger.error({ err: error }, 'local server error'));
  relay.start();

  const origin = guard.origin;
  let closing: Promise<void> | undefined;
  return {
    port,
    origin,
    pageUrl: `${origin}/#key=${key}`,
    key,
    relay: { upstream: relay.upstream, pages: relay.pages },
    status,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await relay.stop();
        server.closeAllConnections();
        await serverClosed;
        // A copy being written is finished, so that the next start finds it.
        await offlineCache.close();
      })();
      return closing;
    },
  };
}

function rejectUpgrade(socket: Duplex, status: number, body: object): void {
  const text = JSON.stringify(body);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // end() alone would leave a half-open socket for as long as the client likes.
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    () => socket.destroy(),
  );
}
