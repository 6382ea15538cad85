// The relay's guards. Every HTTP request and every upgrade passes through here before
// anything else happens, and certainly before any upstream socket exists:
//   Host   — exactly 127.0.0.1:PORT or localhost:PORT (defeats DNS rebinding);
//   Origin — when present, exactly the kiosk's own origin; required on upgrades and on
//            state-changing API calls (defeats cross-site WebSocket hijacking and CSRF);
//   key    — the per-launch key, on /ws (as a subprotocol), /api and /status (defeats
//            every other local process and page that found the port).
import type { IncomingMessage } from 'node:http';
import { KEY_HEADER, KEY_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from '../protocol/page.ts';
import { keysMatch } from './launch-key.ts';

export type RefusalReason = 'host' | 'origin' | 'origin-missing' | 'key-missing' | 'key-wrong' | 'subprotocol';

export interface Refusal {
  status: 401 | 403;
  reason: RefusalReason;
}

/** What a route needs: `public` routes (the UI's files, /healthz) check only the Host. */
export type Access = 'public' | 'keyed';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export class Guard {
  readonly #key: string;
  readonly #port: () => number;

  /** `port` is read on every check: the server knows it only once it listens. */
  constructor(key: string, port: () => number) {
    this.#key = key;
    this.#port = port;
  }

  /** The origin the kiosk page is loaded from; the only origin allowed to call in. */
  get origin(): string {
    return `http://127.0.0.1${this.#portSuffix()}`;
  }

  /** Checks an HTTP request; `undefined` means it may pass. */
  checkRequest(req: IncomingMessage, access: Access): Refusal | undefined {
    const host = this.#checkHost(req);
    if (host !== undefined || access === 'public') return host;
    const stateChanging = !SAFE_METHODS.has(req.method ?? 'GET');
    return this.#checkOrigin(req, stateChanging) ?? this.#checkKey(headerValue(req, KEY_HEADER.toLowerCase()));
  }

  /** Checks a WebSocket upgrade: Host, a required Origin, and the key offered as a subprotocol. */
  checkUpgrade(req: IncomingMessage): Refusal | undefined {
    const refusal = this.#checkHost(req) ?? this.#checkOrigin(req, true);
    if (refusal !== undefined) return refusal;
    const offered = offeredSubprotocols(req);
    if (!offered.includes(SUBPROTOCOL)) return { status: 403, reason: 'subprotocol' };
    const keys = offered.filter((p) => p.startsWith(KEY_SUBPROTOCOL_PREFIX));
    if (keys.length > 1) return { status: 401, reason: 'key-wrong' };
    return this.#checkKey(keys[0]?.slice(KEY_SUBPROTOCOL_PREFIX.length));
  }

  #checkHost(req: IncomingMessage): Refusal | undefined {
    // An absolute-form target (GET http://other/...) names a host of its own, and a second
    // Host header (Node keeps the first) is a request someone crafted: neither is the page.
    if (!(req.url ?? '').startsWith('/') || hostHeaderCount(req) !== 1) return { status: 403, reason: 'host' };
    const host = req.headers.host;
    const suffix = this.#portSuffix();
    if (host === `127.0.0.1${suffix}` || host === `localhost${suffix}`) return undefined;
    return { status: 403, reason: 'host' };
  }

  #checkOrigin(req: IncomingMessage, required: boolean): Refusal | undefined {
    const origin = headerValue(req, 'origin');
    if (origin === undefined) return required ? { status: 403, reason: 'origin-missing' } : undefined;
    return origin === this.origin ? undefined : { status: 403, reason: 'origin' };
  }

  #checkKey(offered: string | undefined): Refusal | undefined {
    if (offered === undefined || offered === '') return { status: 401, reason: 'key-missing' };
    return keysMatch(this.#key, offered) ? undefined : { status: 401, reason: 'key-wrong' };
  }

  #portSuffix(): string {
    const port = this.#port();
    return port === 80 ? '' : `:${port}`;
  }
}

function hostHeaderCount(req: IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'host') count++;
  return count;
}

/** The subprotocols a WebSocket client offered, in order. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** A header's value. Node joins a repeated header with ", ", which then matches nothing and is refused. */
function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}
