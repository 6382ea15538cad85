// App-level duties of an unattended kiosk: one instance only, Chromium switches for a
// touch screen, and a diagnostic page instead of a blank one when the kiosk cannot start
// (kiosk/diagnostic-page.ts, shared with the Chromium shell).
import type { App } from 'electron';

/** Takes the single-instance lock; a second launch focuses the kiosk instead of starting another. */
export function acquireSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'on'>, focus: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', focus);
  return true;
}

/**
 * Switches for a public touch screen: no pinch zoom, no swipe navigation, no translate
 * or cast prompts. Each one removes a way for a passer-by to leave the kiosk page.
 * electronegativity-justified: CUSTOM_ARGUMENTS_JS_CHECK — these switches only disable features.
 */
export function applyKioskSwitches(app: Pick<App, 'commandLine'>): void {
  app.commandLine.appendSwitch('disable-pinch');
  app.commandLine.appendSwitch('overscroll-history-navigation', '0');
  app.commandLine.appendSwitch('disable-features', 'Translate,MediaRouter');
}
