// The main side of the preload bridge. Like electron/fiddle's IPC wrapper, it answers
// only its own window's main frame on the kiosk origin; anything else is refused, and
// every argument arrives as `unknown` and is narrowed before use.
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { DisplayPower } from '../protocol/page.ts';
import type { IpcChannels, ShellStatus } from './preload.cts';

const GET_KEY: IpcChannels['getKey'] = 'kiosk:get-key';
const STATUS: IpcChannels['status'] = 'kiosk:status';
const DISPLAY: IpcChannels['display'] = 'kiosk:display';
const DISPLAY_NOW: IpcChannels['displayNow'] = 'kiosk:display-now';

export interface IpcOptions {
  key: string;
  origin: string;
  /** The kiosk window's web contents right now (it changes when the window is recreated). */
  contents: () => WebContents | undefined;
  /** The display power a new document's agent starts with. */
  power: () => DisplayPower;
}

/** Is the sender the kiosk window's top frame, showing the kiosk origin? */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, options: Pick<IpcOptions, 'origin' | 'contents'>): boolean {
  const frame = event.senderFrame;
  if (frame === null || event.sender !== options.contents()) return false;
  if (frame.parent !== null) return false;
  return URL.canParse(frame.url) && new URL(frame.url).origin === options.origin;
}

export function setupIpc(ipcMain: Pick<IpcMain, 'handle' | 'on'>, options: IpcOptions): void {
  ipcMain.handle(GET_KEY, (event) => {
    if (!isTrustedSender(event, options)) throw new Error('refused');
    return options.key;
  });
  // Synchronous, so that a document that starts while the display is off never shows its content.
  ipcMain.on(DISPLAY_NOW, (event: IpcMainEvent) => {
    event.returnValue = isTrustedSender(event, options) ? options.power() : 'on';
  });
}

export function sendStatus(contents: WebContents | undefined, status: ShellStatus): void {
  if (contents !== undefined && !contents.isDestroyed()) contents.send(STATUS, status);
}

export function sendDisplay(contents: WebContents | undefined, power: DisplayPower): void {
  if (contents !== undefined && !contents.isDestroyed()) contents.send(DISPLAY, power);
}
