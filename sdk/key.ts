// The per-launch key that proves to the local server that this is the kiosk's own page.
// Sources, in order: the Electron bridge (the preload), then the URL fragment (#key=…, as
// the Chromium shell and `kiosk-shell serve` open the page). The fragment is scrubbed from
// the address bar at once, before anything can read or report the URL, and the key is
// kept in memory only: never in the location, never in storage, where another script or a
// later visitor could find it.

const BRIDGE_TIMEOUT_MS = 5_000;

/** What the Electron shell's preload exposes as `window.kiosk` (electron/preload.cts is checked against it). */
export interface ShellBridge {
  /** The per-launch key for /api (X-Kiosk-Key) and /ws (subprotocol). */
  getKey(): Promise<string>;
}

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
}

/**
 * Synchronous, first thing: takes the key out of the fragment (the whole fragment goes, so
 * nothing of it lingers in history or the address bar). Returns it, or null.
 */
export function takeFragmentKey({ location, history }: FragmentEnvironment): string | null {
  const { present, key } = keyParamOf(location.hash);
  if (!present) return null;
  try {
    history.replaceState(history.state, '', location.pathname + location.search);
  } catch {
    // A page that cannot rewrite its own URL still works; the key just stays visible.
  }
  return key;
}

/** The key to use: the bridge's when there is one and it answers, else `fallback`. */
export async function resolveKey(bridge: Pick<ShellBridge, 'getKey'> | undefined, fallback: string | null, timeoutMs = BRIDGE_TIMEOUT_MS): Promise<string | null> {
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
