// What the kiosk needs from whatever shows the page: Electron's window, the system
// Chromium, or no window at all (`serve`, where the pages are told over /ws). Every shell
// does the whole job, each its own way; none is asked what it can do. An action it has
// nothing to act on fails with E_NO_WINDOW, which the command runner answers as
// `ignored` / `no-window`. The decisions (what to run, when, how to recover) are the
// kiosk's, in kiosk/.
import type { EventEmitter } from 'node:events';
import type { DisplayPower } from '../protocol/page.ts';
import type { FailureKind } from './recovery-budget.ts';

export type ShellKind = 'headless' | 'chromium' | 'electron';

/** The page's health as the shell sees it; `undefined` when only heartbeats can tell. */
export type ShellRendererState = 'crashed' | 'unresponsive' | undefined;

export interface ShellEvents {
  /** The shell saw the page fail (crash, hang, failed load). */
  failure: [kind: FailureKind, detail: string];
  /** The shell started loading the page (a reload, a new window): signs of life are due. */
  loading: [];
  /** A person touched, clicked or typed: real input seen by the shell, not by the page. */
  input: [];
  /** Input arrived while the display was off. The page never saw it; it asks to wake the display. */
  wake: [];
}

export interface ScreenshotRequest {
  maxWidth: number;
  /** The JPEG may not be larger than this. */
  maxBytes: number;
}

export interface Screenshot {
  jpeg: Buffer;
  width: number;
  height: number;
  takenAt: Date;
}

export interface Shell extends EventEmitter<ShellEvents> {
  readonly kind: ShellKind;
  /** Opens the window and loads the page; called once the kiosk listens to the shell's events. */
  open(): Promise<void>;
  /** Reloads the page, even if its script is hung. Resolves once the reload has started. */
  reload(): Promise<void>;
  /** Back to the home screen with the visitor's session wiped; the page answers local.done `id`. */
  home(id: string): Promise<void>;
  /** Wipes the kiosk origin's storage, cookies and caches, then reloads. */
  clearSession(id: string): Promise<void>;
  /** What the screen shows (black while the display is off), as a JPEG within the request's bounds. */
  screenshot(request: ScreenshotRequest): Promise<Screenshot>;
  /** Blanks the screen (and powers it down where the platform allows) or shows it again. */
  setDisplay(power: DisplayPower): Promise<void>;
  /** Replaces the window (a fresh renderer process) and loads the page again. */
  recreate(): Promise<void>;
  /** A new shell process (Electron relaunches; Chromium starts a new browser). */
  relaunch(): Promise<void>;
  rendererState(): ShellRendererState;
  /** How much memory the page's renderer holds, in MiB; undefined where the shell cannot tell. */
  rendererMemoryMB(): Promise<number | undefined>;
  close(): Promise<void>;
}
