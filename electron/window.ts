// The kiosk window: fullscreen, frameless, no menu, and the page sandboxed with context
// isolation and without Node. Nothing here is ever turned off "for now". The options are
// written out literally in the constructor call so that @doyensec/electronegativity (run
// by npm test) can read every one of them.
import { BrowserWindow, screen } from 'electron';

export interface KioskWindowOptions {
  /** The bridge script; the diagnostic window has none. */
  preload?: string;
  dev: boolean;
}

export function createKioskWindow({ preload, dev }: KioskWindowOptions): BrowserWindow {
  // The primary display's whole area. A window manager makes a kiosk window fullscreen; on
  // a bare X server (no window manager, as many kiosks run) nothing does, and only these
  // bounds cover the screen.
  const area = dev ? { width: 1920, height: 1080 } : screen.getPrimaryDisplay().bounds;
  const window = new BrowserWindow({
    show: false,
    kiosk: !dev,
    fullscreen: !dev,
    frame: dev,
    autoHideMenuBar: true,
    backgroundColor: '#0b1f3a',
    ...area,
    webPreferences: {
      ...(preload === undefined ? {} : { preload }),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click (auxclick) could otherwise open links in new windows.
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      disableDialogs: true,
      devTools: dev,
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  window.removeMenu();
  window.once('ready-to-show', () => window.show());
  return window;
}
