// The wire between the shell and the kiosk page, over the local /ws endpoint. Pure: no
// Node, no DOM, no library, so the page bundle pays only for what it uses. Both directions
// are named for who sends them: ShellToPage and PageToShell. local.* is the shell's own
// namespace: the relay drops any local.* frame the upstream tries to forward.

/** The subprotocol the page offers and the server selects. */
export const SUBPROTOCOL = 'kiosk.v1';
/** The page offers its launch key as a second subprotocol, `kiosk-key.<key>`. */
export const KEY_SUBPROTOCOL_PREFIX = 'kiosk-key.';
/** The header that carries the launch key on /api and /status. */
export const KEY_HEADER = 'X-Kiosk-Key';
/**
 * On an /api answer, the relay's mark on its kept copy of the last good answer, served while
 * the API upstream fails: the ISO time that copy was fetched.
 */
export const STALE_SINCE_HEADER = 'x-kiosk-stale-since';
/** Bumped when a message changes incompatibly; the page SDK checks it against its own. */
export const PAGE_PROTOCOL_VERSION = 1;
/** The local namespace: messages between shell and page, never relayed. */
export const LOCAL_PREFIX = 'local.';

/** WebSocket close codes the relay uses toward the page and the upstream. */
export const CLOSE_CODES = {
  /** The kiosk is shutting down. */
  goingAway: 1001,
  /** A frame over relay.maxPayloadBytes. */
  tooBig: 1009,
} as const;

export const UPLINK_STATES = ['connecting', 'open', 'waiting', 'stopped'] as const;
/** The shell's connection to the upstream pub/sub server. */
export type UplinkState = (typeof UPLINK_STATES)[number];

export type DisplayPower = 'on' | 'off';

/** Settings the shell hands the page in its hello. */
export interface PageSettings {
  idleReturnHomeSeconds: number;
  hideCursor: boolean;
}

/** What the shell tells the page. */
export type ShellToPage =
  | { type: 'local.hello'; protocol: number; kioskId: string; version: string; uplink: UplinkState; settings: PageSettings }
  | { type: 'local.uplink'; state: UplinkState }
  /** Reload yourself (no window the shell could reload, as under `serve`). */
  | { type: 'local.reload' }
  /** Back to the home screen, the visitor's session wiped; answer with local.done. */
  | { type: 'local.home'; id: string }
  /** Wipe the origin's storage, cookies and caches, then reload (no window the shell could wipe). */
  | { type: 'local.clear-session'; id: string }
  /** Blank (off) or show (on) the screen yourself (no window the shell could blank). */
  | { type: 'local.display'; power: DisplayPower };

/** What the page tells the shell. */
export type PageToShell =
  /** Content is on screen for the first time in this page load. */
  | { type: 'local.shown'; home: boolean }
  /** Alive; `shown`: real content is on screen right now. */
  | { type: 'local.heartbeat'; shown: boolean }
  /** A visitor is using the page (away from home, a prompt open, or touched recently). */
  | { type: 'local.in-use'; inUse: boolean }
  /** A visitor touched or typed (the page's view; a shell with a window sees input itself). */
  | { type: 'local.activity' }
  /** A shell request with an id (local.home) is carried out. */
  | { type: 'local.done'; id: string };

export type ShellToPageType = ShellToPage['type'];
export type PageToShellType = PageToShell['type'];

const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_TEXT = 100;
const MAX_IDLE_SECONDS = 86_400;

type Fields = Record<string, unknown>;

function objectOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function parseJsonObject(text: unknown, maxLength: number): Fields | undefined {
  if (typeof text !== 'string' || text.length > maxLength) return undefined;
  try {
    return objectOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export function isUplinkState(value: unknown): value is UplinkState {
  return typeof value === 'string' && (UPLINK_STATES as readonly string[]).includes(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

function shortText(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, MAX_TEXT) : '';
}

function settingsOf(value: unknown): PageSettings {
  const settings = objectOf(value) ?? {};
  const idle = settings.idleReturnHomeSeconds;
  return {
    idleReturnHomeSeconds: typeof idle === 'number' && Number.isFinite(idle) && idle >= 0 ? Math.min(Math.floor(idle), MAX_IDLE_SECONDS) : 120,
    hideCursor: settings.hideCursor === true,
  };
}

/**
 * A shell message as the page receives it, or null for anything else (a frame the upstream
 * sent, which the page handles on its own terms). Untrusted input narrowed field by field.
 */
export function parseShellToPage(text: unknown): ShellToPage | null {
  const m = parseJsonObject(text, 65_536);
  if (m === undefined) return null;
  switch (m.type) {
    case 'local.hello':
      return {
        type: 'local.hello',
        protocol: typeof m.protocol === 'number' ? m.protocol : 0,
        kioskId: shortText(m.kioskId),
        version: shortText(m.version),
        uplink: isUplinkState(m.uplink) ? m.uplink : 'connecting',
        settings: settingsOf(m.settings),
      };
    case 'local.uplink':
      return isUplinkState(m.state) ? { type: 'local.uplink', state: m.state } : null;
    case 'local.reload':
      return { type: 'local.reload' };
    case 'local.home':
      return isId(m.id) ? { type: 'local.home', id: m.id } : null;
    case 'local.clear-session':
      return isId(m.id) ? { type: 'local.clear-session', id: m.id } : null;
    case 'local.display':
      return m.power === 'on' || m.power === 'off' ? { type: 'local.display', power: m.power } : null;
    default:
      return null;
  }
}

/** A page message as the shell receives it; null when it is not a well-formed one. */
export function parsePageToShell(message: Fields): PageToShell | null {
  switch (message.type) {
    case 'local.shown':
      return message.home === undefined || typeof message.home === 'boolean' ? { type: 'local.shown', home: message.home ?? true } : null;
    case 'local.heartbeat':
      return message.shown === undefined || typeof message.shown === 'boolean' ? { type: 'local.heartbeat', shown: message.shown ?? true } : null;
    case 'local.in-use':
      return typeof message.inUse === 'boolean' ? { type: 'local.in-use', inUse: message.inUse } : null;
    case 'local.activity':
      return { type: 'local.activity' };
    case 'local.done':
      return isId(message.id) ? { type: 'local.done', id: message.id } : null;
    default:
      return null;
  }
}
