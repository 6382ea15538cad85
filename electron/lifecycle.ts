// App-level duties of an unattended kiosk: one instance only, a display that never
// sleeps, Chromium switches for a touch screen, and a diagnostic page instead of a blank
// one when the kiosk cannot start.
import type { App, PowerSaveBlocker } from 'electron';

/** Takes the single-instance lock; a second launch focuses the kiosk instead of starting another. */
export function acquireSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'on'>, focus: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', focus);
  return true;
}

export function keepDisplayAwake(blocker: Pick<PowerSaveBlocker, 'start'>): number {
  return blocker.start('prevent-display-sleep');
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

/** A self-contained page that tells staff why the kiosk did not start (no secrets in it). */
export function diagnosticPageUrl(title: string, lines: readonly string[]): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html =
    '<!doctype html><meta charset="utf-8"><title>kiosk-shell</title>' +
    '<body style="margin:0;background:#0b1f3a;color:#f5f1e6;font:24px system-ui,sans-serif;padding:6vh 6vw">' +
    `<h1 style="color:#e8b64c">${escape(title)}</h1><ul>${lines.map((l) => `<li><code>${escape(l)}</code></li>`).join('')}</ul>` +
    '<p>Fix the configuration and restart the kiosk. <code>kiosk-shell check-config</code> lists every problem.</p></body>';
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
