/// <reference types="vite/client" />
// The preload bridge, typed from the preload's own object (never a second hand-kept copy).
// It exists only in Electron; the Chromium shell and plain browsers have no `window.kiosk`.
import type { KioskBridge } from '../../electron/preload.cts';

declare global {
  interface Window {
    kiosk?: KioskBridge;
  }
}

export {};
