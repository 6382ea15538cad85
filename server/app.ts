// The local HTTP surface. Every route sits behind the guard: the Host check for all of
// them, the Origin and key checks for /api and /status.
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import { contentSecurityPolicy } from './content-security-policy.ts';
import type { Access, Guard, Refusal } from './guard.ts';
import { uiFiles } from './ui-files.ts';

export interface AppOptions {
  guard: Guard;
  /** The UI served at / (index.html at its root): the bundled one, or a site's own (ui.dir). */
  rendererDir: string;
  /** The built page SDK (sdk.js, sdk.d.ts), served at /kiosk-shell/. */
  sdkDir: string;
  /** Development: the UI's files are never cached, so a rebuild shows at once. */
  dev?: boolean;
  api: RequestHandler;
  status: () => unknown;
  onRefusal: (req: Request, refusal: Refusal) => void;
  onError: (error: unknown, req: Request) => void;
}

export function createApp({ guard, rendererDir, sdkDir, dev = false, api, status, onRefusal, onError }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');

  const guarded =
    (access: Access): RequestHandler =>
    (req, res, next) => {
      const refusal = guard.checkRequest(req, access);
      if (refusal === undefined) {
        next();
        return;
      }
      onRefusal(req, refusal);
      res.set('connection', 'close');
      res.status(refusal.status).json({ error: refusal.status === 401 ? 'unauthorized' : 'forbidden', reason: refusal.reason });
    };

  app.use(guarded('public'));
  app.use((req, res, next) => {
    res.set(securityHeaders(guard.origin));
    next();
  });

  app.get('/healthz', (req, res) => {
    res.set('cache-control', 'no-store').json({ ok: true });
  });
  app.get('/status', guarded('keyed'), (req, res) => {
    res.set('cache-control', 'no-store').json(status());
  });
  app.use('/api', guarded('keyed'), api);
  // A page with no shell to wipe it (under `serve`) asks for its origin's caches, cookies
  // and storage to be cleared: the browser does it on seeing this header.
  app.post('/kiosk-shell/clear-site-data', guarded('keyed'), (req, res) => {
    res.set({ 'clear-site-data': '"cache", "cookies", "storage"', 'cache-control': 'no-store' }).status(204).end();
  });
  app.all('/ws', (req, res) => {
    res.status(426).set('upgrade', 'websocket').json({ error: 'upgrade-required' });
  });

  // The page SDK: public like the UI's own files (it holds no secret; the key is what proves a page).
  const sdkFiles: Record<string, { file: string; type: string }> = {
    '/kiosk-shell/sdk.js': { file: 'sdk.js', type: 'text/javascript; charset=utf-8' },
    '/kiosk-shell/sdk.d.ts': { file: 'sdk.d.ts.txt', type: 'text/plain; charset=utf-8' },
  };
  app.get(Object.keys(sdkFiles), (req, res, next) => {
    const served = sdkFiles[req.path];
    if (served === undefined) return next();
    res.sendFile(served.file, { root: sdkDir, dotfiles: 'deny', headers: { 'cache-control': 'no-cache', 'content-type': served.type } }, (error) => {
      if (error) next();
    });
  });

  // The UI, only from inside its folder (server/ui-files.ts).
  app.use(uiFiles({ dir: rendererDir, dev }));

  app.use((req, res) => {
    res.status(404).json({ error: 'not-found' });
  });
  const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
    onError(error, req);
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = httpStatusOf(error);
    res.status(status).json({ error: status === 500 ? 'internal' : 'bad-request' });
  };
  app.use(errorHandler);
  return app;
}

/** Headers on every response: the page may only talk to its own origin and cannot be framed. */
function securityHeaders(origin: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(origin),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
  };
}

function httpStatusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/** The folder's real path (symlinks resolved), so that what is inside it can be told apart. */
