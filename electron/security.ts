// Lock-down applied to every web contents and to the session, whatever creates them
// (vite-electron-builder's pattern: security as its own module, on web-contents-created).
// The page may load only from the kiosk's own origin; it may not open windows, attach
// webviews, navigate away, download, or get any permission; devtools and the reload and
// zoom shortcuts are off unless --dev.
import type { App, Input, Session, WebContents } from 'electron';
import { contentSecurityPolicy } from '../server/content-security-policy.ts';
import type { Logger } from '../core/logger.ts';

export interface SecurityOptions {
  /** The kiosk origin (http://127.0.0.1:PORT), known once the server listens. */
  origin: () => string | undefined;
  dev: boolean;
  logger: Logger;
}

/** Is `url` on the kiosk's own origin? */
export function isKioskUrl(url: string, origin: string | undefined): boolean {
  if (origin === undefined || !URL.canParse(url)) return false;
  return new URL(url).origin === origin;
}

/** Is `url` the kiosk's own WebSocket (ws://127.0.0.1:PORT/ws)? Its origin is ws://…, not the page's. */
export function isKioskSocket(url: string, origin: string | undefined): boolean {
  if (origin === undefined || !URL.canParse(url)) return false;
  const target = new URL(url);
  return target.protocol === 'ws:' && target.host === new URL(origin).host && target.pathname === '/ws';
}

export function setupSecurity(app: App, options: SecurityOptions): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, options));
}

export function hardenContents(contents: WebContents, { origin, dev, logger }: SecurityOptions): void {
  contents.setWindowOpenHandler(({ url }) => {
    logger.warn({ origin: safeOrigin(url) }, 'blocked a new window');
    return { action: 'deny' };
  });
  const guardNavigation = (event: { preventDefault: () => void }, url: string) => {
    if (isKioskUrl(url, origin())) return;
    event.preventDefault();
    logger.warn({ origin: safeOrigin(url) }, 'blocked a navigation away from the kiosk');
  };
  contents.on('will-navigate', guardNavigation);
  contents.on('will-redirect', guardNavigation);
  contents.on('will-frame-navigate', (event) => guardNavigation(event, event.url));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('blocked a webview');
  });
  if (dev) return;
  contents.on('before-input-event', (event, input) => {
    if (isBlockedShortcut(input)) event.preventDefault();
  });
  contents.on('devtools-opened', () => contents.closeDevTools());
}

export function hardenSession(session: Session, { origin, logger }: SecurityOptions): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.warn({ permission }, 'denied a permission request');
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  session.on('will-download', (event) => event.preventDefault());
  // The server sends the CSP already; enforcing it here too means a page served without
  // it (a bug, a proxy in between) is still confined.
  session.webRequest.onHeadersReceived((details, callback) => {
    const kiosk = origin();
    if (kiosk === undefined || !isKioskUrl(details.url, kiosk)) {
      callback({});
      return;
    }
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy(kiosk)] } });
  });
  // Nothing but the kiosk origin loads: belt and braces with the page's CSP. WebSocket
  // handshakes pass through here too (with their ws:// URL), so the page's /ws is allowed.
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isKioskUrl(details.url, origin()) || isKioskSocket(details.url, origin()) || /^(data|blob|devtools):/.test(details.url);
    if (!allowed) logger.warn({ origin: safeOrigin(details.url) }, 'blocked a request outside the kiosk origin');
    callback({ cancel: !allowed });
  });
}

/** Reload, devtools, zoom and print shortcuts: a passer-by must not reach any of them. */
export function isBlockedShortcut(input: Pick<Input, 'type' | 'key' | 'control' | 'meta' | 'shift' | 'alt'>): boolean {
  if (input.type !== 'keyDown') return false;
  const key = input.key.toLowerCase();
  const mod = input.control || input.meta;
  if (['f5', 'f11', 'f12', 'browserback', 'browserforward', 'browserrefresh'].includes(key)) return true;
  if (mod && ['r', 'w', 'q', 'p', 's', 'o', 'n', 't', 'u', '+', '=', '-', '0', 'l', 'j'].includes(key)) return true;
  if (mod && input.shift && ['i', 'j', 'c', 'r', 'delete'].includes(key)) return true;
  if (input.alt && ['arrowleft', 'arrowright', 'f4', 'home'].includes(key)) return true;
  return false;
}

function safeOrigin(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'invalid-url';
}
