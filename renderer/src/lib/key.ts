// The per-launch key that proves to the local server that this is the kiosk's own page.
// Sources, in order: the Electron bridge, the URL fragment (#key=…, as the Chromium shell
// and `kiosk-shell serve` open the page), then sessionStorage (a reload loses the
// fragment). The fragment is scrubbed from the address bar at once, before anything can
// read or report the URL.
import type { KioskBridge } from '../../../electron/preload.cts';

export const SESSION_KEY_NAME = 'kiosk-key';
const BRIDGE_TIMEOUT_MS = 5_000;

/**
 * RFC 7230 token characters only: the key travels as a WebSocket subprotocol, and the
 * WebSocket constructor throws on anything else.
 */
const KEY_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,512}$/;

export function isUsableKey(value: unknown): value is string {
  return typeof value === 'string' && KEY_PATTERN.test(value);
}

/** The `key` parameter of a fragment such as `#key=abc` or `#x=1&key=abc`, if any. */
export function keyParamOf(hash: string): { present: boolean; key: string | null } {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of body.split('&')) {
    if (!part.startsWith('key=')) continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice('key='.length));
    } catch {
      return { present: true, key: null };
    }
    return { present: true, key: isUsableKey(value) ? value : null };
  }
  return { present: false, key: null };
}

export interface FragmentEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/**
 * Synchronous, first thing on start-up: takes the key out of the fragment (the whole
 * fragment goes, so nothing of it lingers in history or the address bar) and keeps it in
 * sessionStorage for reloads. Returns the key from the fragment, else the stored one.
 */
export function takeFragmentKey({ location, history, storage }: FragmentEnvironment): string | null {
  const { present, key } = keyParamOf(location.hash);
  if (present) {
    try {
      history.replaceState(history.state, '', location.pathname + location.search);
    } catch {
      // A page that cannot rewrite its own URL still works; the key just stays visible.
    }
    if (key !== null) {
      try {
        storage?.setItem(SESSION_KEY_NAME, key);
      } catch {
        // Storage disabled or full: this load works, a reload will not.
      }
      return key;
    }
  }
  try {
    const stored = storage?.getItem(SESSION_KEY_NAME) ?? null;
    return isUsableKey(stored) ? stored : null;
  } catch {
    return null;
  }
}

/** The key to use: the Electron bridge's when there is one and it answers, else `fallback`. */
export async function resolveKey(
  bridge: Pick<KioskBridge, 'getKey'> | undefined,
  fallback: string | null,
  timeoutMs = BRIDGE_TIMEOUT_MS,
): Promise<string | null> {
  if (bridge === undefined) return fallback;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const key: unknown = await Promise.race([bridge.getKey(), timeout]);
    return isUsableKey(key) ? key : fallback;
  } catch {
    return fallback;
  } finally {
    clearTimeout(timer);
  }
}
