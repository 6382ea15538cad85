// The kiosk-shell page SDK, served by every kiosk at /kiosk-shell/sdk.js (an ES module; its
// types at /kiosk-shell/sdk.d.ts). Any web app the kiosk shows — the bundled City Hall UI
// or a site's own under `ui.dir` — gets the token-holding relay through it without ever
// holding a token:
//
//   import { connect } from '/kiosk-shell/sdk.js';
//   const kiosk = await connect();
//   const events = await (await kiosk.api('/events/')).json();   // /api, the key added
//   kiosk.onMessage((message) => { … });                          // the upstream's frames
//   kiosk.send('survey.answer', { choice: 2 });                   // only relay.allowUp types go up
//   kiosk.shown();                                                // content is on screen
//
// Resets, restarts and the display are the shell's business: the SDK carries them out on
// the page's behalf (reload, blank the screen) when no shell can. Apps hook in where they
// have something of their own to do: onHome (back to the start, the visitor's session
// gone) and onCommand('clear-session').
import { PAGE_PROTOCOL_VERSION, type ShellToPage, type UplinkState } from '../protocol/page.ts';
import { type ShellBridge, resolveKey, takeFragmentKey } from './key.ts';
import { ShellLink, socketUrl, type SocketState } from './link.ts';
import { browserStorage, clearSiteData, wipeVisitorStorage } from './origin-wipe.ts';
import { installPageAgent } from './page-agent.ts';
import { realTimers } from './timers.ts';

/** This SDK's version (semver). */
export const SDK_VERSION = '1.0.0';
/** The page protocol this SDK speaks; the shell's hello says which it speaks. */
export const PROTOCOL = PAGE_PROTOCOL_VERSION;

export type { ShellBridge, SocketState, UplinkState };

/** The page's line to the shell, and the shell's to the upstream. */
export interface LinkState {
  socket: SocketState;
  /** null until the shell's hello. */
  uplink: UplinkState | null;
}

/** What the shell says about itself and its settings for the page, on every connection. */
export interface ShellHello {
  kioskId: string;
  /** The shell's version. */
  version: string;
  /** The page protocol the shell speaks. */
  protocol: number;
  /** Does the shell speak this SDK's protocol? (If not: update the page's copy of the SDK.) */
  compatible: boolean;
  idleReturnHomeSeconds: number;
  hideCursor: boolean;
}

/** A frame the upstream sent that the relay forwarded to the page. */
export interface UpstreamMessage {
  type?: unknown;
  [field: string]: unknown;
}

export type CommandHook = 'home' | 'clear-session';

export interface ConnectOptions {
  /**
   * Call shown() yourself once real content is on screen (the shell times a reset's "reloaded"
   * by it). By default the SDK calls it when the page has loaded.
   */
  manualShown?: boolean;
}

export interface KioskSession {
  /** A fetch of `/api` + `path` with the launch key added (`path` starts with "/"). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Sends a frame upstream; the relay forwards only types listed in relay.allowUp. False while the link is down. */
  send(type: string, data?: Record<string, unknown>): boolean;
  /** Frames from the upstream (anything but the shell's own). Returns the unsubscribe function. */
  onMessage(listener: (message: UpstreamMessage) => void): () => void;
  onState(listener: (state: LinkState) => void): () => void;
  /** The shell's hello, on every (re)connection; a listener added later gets the last one at once. */
  onHello(listener: (hello: ShellHello) => void): () => void;
  /** Content is on screen for the first time in this page load (with manualShown). */
  shown(options?: { home?: boolean }): void;
  /** A visitor is using the kiosk (away from home, a prompt open): commands with "when": "idle" wait. */
  inUse(value: boolean): void;
  /**
   * Back to the start, the visitor's session wiped (the `home` command). With a handler the
   * page stays loaded; without one the SDK reloads it. Either way the origin's storage is wiped.
   */
  onHome(handler: () => void | Promise<void>): () => void;
  /** A hook for `home` (as onHome) or `clear-session` (run before the wipe and reload). */
  onCommand(command: CommandHook, handler: () => void | Promise<void>): () => void;
  readonly state: LinkState;
  readonly hello: ShellHello | null;
  close(): void;
}

/** The shell's hello as the SDK hands it on, with whether the shell speaks this SDK's protocol. */
export function helloOf(message: Extract<ShellToPage, { type: 'local.hello' }>): ShellHello {
  return {
    kioskId: message.kioskId,
    version: message.version,
    protocol: message.protocol,
    compatible: message.protocol === PROTOCOL,
    idleReturnHomeSeconds: message.settings.idleReturnHomeSeconds,
    hideCursor: message.settings.hideCursor,
  };
}

/** Why connect() could not give a session. */
export class KioskSdkError extends Error {
  readonly code: 'no-key';
  constructor(code: 'no-key', message: string) {
    super(message);
    this.name = 'KioskSdkError';
    this.code = code;
  }
}

/** A hook may take this long before the SDK goes on without it. */
const HOOK_TIMEOUT_MS = 4_000;

/** The Electron shell's preload bridge (window.kiosk); absent elsewhere. */
const bridgeOf = (win: Window): ShellBridge | undefined => (win as Window & { kiosk?: ShellBridge }).kiosk;

// First thing, before the page's own scripts add listeners: the key out of the URL, and the
// page agent (it must see input before anything else does). Only in the page's top window.
const top = typeof window !== 'undefined' && window === window.top;
const fragmentKey = top ? takeFragmentKey({ location: window.location, history: window.history }) : null;
const inputListeners = new Set<() => void>();
const setPower = top ? installPageAgent(window, () => inputListeners.forEach((listener) => listener()), 'on') : () => undefined;
let connected: Promise<KioskSession> | undefined;

/** The page's session with the shell: one per page load (later calls get the same one). */
export function connect(options: ConnectOptions = {}): Promise<KioskSession> {
  connected ??= open(options);
  return connected;
}

async function open({ manualShown = false }: ConnectOptions): Promise<KioskSession> {
  const key = await resolveKey(bridgeOf(window), fragmentKey);
  if (key === null) {
    connected = undefined;
    throw new KioskSdkError('no-key', 'no launch key: this page must be opened by kiosk-shell (or at the exact address `kiosk-shell serve` prints)');
  }
  const messageListeners = new Set<(message: UpstreamMessage) => void>();
  const stateListeners = new Set<(state: LinkState) => void>();
  const helloListeners = new Set<(hello: ShellHello) => void>();
  const hooks: Record<CommandHook, Set<() => void | Promise<void>>> = { home: new Set(), 'clear-session': new Set() };
  let state: LinkState = { socket: 'connecting', uplink: null };
  let hello: ShellHello | null = null;
  let shownFlag = false;
  const setState = (next: LinkState) => {
    state = next;
    for (const listener of stateListeners) listener(state);
  };
  const subscribe = <T>(set: Set<T>, listener: T) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  const runHooks = async (command: CommandHook) => {
    const running = [...hooks[command]].map(async (hook) => hook());
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled(running), new Promise((resolve) => (timer = setTimeout(resolve, HOOK_TIMEOUT_MS)))]);
    clearTimeout(timer);
  };
  // A reload finds its key again: in the fragment (the Chromium shell puts it there itself,
  // and under `serve` the SDK does) or from the bridge (Electron).
  const reload = () => {
    // Put the key back in the fragment for the next document (a same-document change: no
    // navigation of its own), then load the page again.
    if (bridgeOf(window) === undefined && fragmentKey !== null) {
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}#key=${encodeURIComponent(key)}`);
    }
    window.location.reload();
  };
  const onShell = (message: ShellToPage) => {
    switch (message.type) {
      case 'local.hello':
        hello = helloOf(message);
        if (!hello.compatible) console.warn(`kiosk-shell SDK ${SDK_VERSION} speaks page protocol ${PROTOCOL}; this shell speaks ${message.protocol}: use the shell's own /kiosk-shell/sdk.js`);
        setState({ ...state, uplink: message.uplink });
        for (const listener of helloListeners) listener(hello);
        return;
      case 'local.uplink':
        setState({ ...state, uplink: message.state });
        return;
      case 'local.reload':
        reload();
        return;
      case 'local.display':
        setPower(message.power);
        return;
      case 'local.home': {
        const { id } = message;
        void (async () => {
          const handled = hooks.home.size > 0;
          if (handled) await runHooks('home');
          await wipeVisitorStorage(browserStorage(window));
          link.done(id);
          // With nobody to take the page home, a fresh load of it is home.
          if (!handled) reload();
        })();
        return;
      }
      case 'local.clear-session':
        void (async () => {
          await runHooks('clear-session');
          await wipeVisitorStorage(browserStorage(window));
          await clearSiteData(key, (input, init) => fetch(input, init));
          reload();
        })();
        return;
    }
  };
  const link = new ShellLink({
    url: socketUrl(window.location.host),
    key,
    createSocket: (url, protocols) => new WebSocket(url, protocols),
    timers: realTimers,
    isShown: () => shownFlag,
    onShell,
    onUpstream: (message) => {
      for (const listener of messageListeners) listener(message);
    },
    onSocketState: (socket) => setState({ ...state, socket }),
  });
  const report = () => link.activity();
  inputListeners.add(report);
  link.start();
  const shown = ({ home = true }: { home?: boolean } = {}) => {
    shownFlag = true;
    link.contentShown(home);
  };
  if (!manualShown) {
    if (document.readyState === 'complete') shown();
    else window.addEventListener('load', () => shown(), { once: true });
  }

  return {
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('X-Kiosk-Key', key);
      return fetch(`/api${path.startsWith('/') ? path : `/${path}`}`, { ...init, headers });
    },
    send(type, data = {}) {
      return link.sendUp({ ...data, type });
    },
    onMessage: (listener) => subscribe(messageListeners, listener),
    onState: (listener) => subscribe(stateListeners, listener),
    onHello(listener) {
      if (hello !== null) listener(hello);
      return subscribe(helloListeners, listener);
    },
    shown,
    inUse: (value) => link.inUse(value),
    onHome: (handler) => subscribe(hooks.home, handler),
    onCommand: (command, handler) => subscribe(hooks[command], handler),
    get state() {
      return state;
    },
    get hello() {
      return hello;
    },
    close() {
      inputListeners.delete(report);
      link.stop();
      connected = undefined;
    },
  };
}
