// What the kiosk controller needs from whatever shows the page: Electron's window, the
// system Chromium, or nothing at all (`serve`). Each shell is a thin adapter; the
// decisions (when to reload, how to recover) are the controller's.
import type { EventEmitter } from 'node:events';
import type { FailureKind } from './recovery-budget.ts';

export type ShellKind = 'headless' | 'chromium' | 'electron';

/** The page's health as the shell sees it; `undefined` when only heartbeats can tell. */
export type ShellRendererState = 'crashed' | 'unresponsive' | undefined;

export interface ShellEvents {
  /** The shell saw the page fail (crash, hang, failed load). */
  failure: [kind: FailureKind, detail: string];
}

export interface Shell extends EventEmitter<ShellEvents> {
  readonly kind: ShellKind;
  /** False for `serve`: there is no window to reload or recover; the page reloads itself. */
  readonly hasWindow: boolean;
  /** Reloads the page, even if its script is hung. Resolves once the reload has started. */
  reload(): Promise<void>;
  /** Replaces the window (a fresh renderer process) and loads the page again. */
  recreate(): Promise<void>;
  /** Restarts the whole application. */
  relaunch(): Promise<void>;
  rendererState(): ShellRendererState;
  close(): Promise<void>;
}
