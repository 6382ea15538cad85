// The bridge between the sandboxed kiosk page and the shell. It exposes the least the
// page needs — the per-launch key and status events — and never a token. It also runs the
// shell's page agent (sdk/page-agent.ts) in this isolated world, before any page script:
// while the display is off the page is covered and no input reaches it. (The shell takes
// real input from the main process, which a page cannot forge; the agent reports nothing.) A sandboxed preload must be CommonJS and may require only 'electron':
// the build bundles the agent into it.
import type * as Electron from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { ShellBridge } from '../sdk/key.ts';
import type * as PageAgent from '../sdk/page-agent.ts';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- sandboxed preloads cannot import
const { contextBridge, ipcRenderer } = require('electron') as typeof Electron;
// The build bundles this module into the preload (scripts/bundle-cli.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const { installPageAgent } = require('../sdk/page-agent.js') as typeof PageAgent;

/** What the shell tells the page about things the page cannot see itself. */
export interface ShellStatus {
  /** The machine's network, as the main process sees it. */
  networkOnline: boolean;
}

const IPC = {
  getKey: 'kiosk:get-key',
  status: 'kiosk:status',
  display: 'kiosk:display',
  displayNow: 'kiosk:display-now',
} as const;
/** The channel names, for the main side to type its handlers against (a preload cannot export values). */
export type IpcChannels = typeof IPC;

const initialPower: unknown = ipcRenderer.sendSync(IPC.displayNow);
const setPower = installPageAgent(window, () => {}, initialPower === 'off' ? 'off' : 'on');
ipcRenderer.on(IPC.display, (_event: IpcRendererEvent, power: unknown) => {
  if (power === 'on' || power === 'off') setPower(power);
});

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
// The page SDK reads the key through this bridge; its contract is the SDK's own type.
bridge satisfies ShellBridge;

/** The page's view of the bridge: derived from the object above, never written twice. */
export type KioskBridge = typeof bridge;

contextBridge.exposeInMainWorld('kiosk', bridge);
