// The bridge between the sandboxed kiosk page and the shell. It exposes the least the
// page needs — the per-launch key and status events — and never a token. A sandboxed
// preload must be CommonJS and may require only 'electron'.
import type * as Electron from 'electron';
import type { IpcRendererEvent } from 'electron';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- sandboxed preloads cannot import
const { contextBridge, ipcRenderer } = require('electron') as typeof Electron;

/** What the shell tells the page about things the page cannot see itself. */
export interface ShellStatus {
  /** The machine's network, as the main process sees it. */
  networkOnline: boolean;
}

const IPC = {
  getKey: 'kiosk:get-key',
  status: 'kiosk:status',
} as const;
/** The channel names, for the main side to type its handlers against (a preload cannot export values). */
export type IpcChannels = typeof IPC;

const bridge = {
  /** The per-launch key for /api (X-Kiosk-Key) and /ws (subprotocol). */
  getKey: (): Promise<string> => ipcRenderer.invoke(IPC.getKey) as Promise<string>,
  /** Subscribes to shell status; returns the unsubscribe function. */
  onStatus(listener: (status: ShellStatus) => void): () => void {
    const handler = (_event: IpcRendererEvent, status: ShellStatus) => listener(status);
    ipcRenderer.on(IPC.status, handler);
    return () => ipcRenderer.removeListener(IPC.status, handler);
  },
};

/** The page's view of the bridge: derived from the object above, never written twice. */
export type KioskBridge = typeof bridge;

contextBridge.exposeInMainWorld('kiosk', bridge);
