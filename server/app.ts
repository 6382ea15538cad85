// The local HTTP surface. Every route sits behind the guard: the Host check for all of
// them, the Origin and key checks for /api and /status.
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import { contentSecurityPolicy } from './content-security-policy.ts';
import type { Access, Guard, Refusal } from './guard.ts';

export interface AppOptions {
  guard: Guard;
  /** The built kiosk UI (index.html and assets/). */
  rendererDir: string;
  api: RequestHandler;
  status: () => unknown;
  onRefusal: (req: Request, refusal: Refusal) => void;
  onError: (error: unknown, req: Request) => void;
}

export function createApp({ guard, rendererDir, api, status, onRefusal, onError }: AppOptions): Express {
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

  app.use(
    express.static(rendererDir, {
      index: 'index.html',
      dotfiles: 'ignore',
      redirect: false,
      setHeaders: (res: Response, file: string) => {
        // Vite fingerprints everything under assets/; the entry page must be revalidated.
        const immutable = path.relative(rendererDir, file).startsWith(`assets${path.sep}`);
        res.set('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );

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
