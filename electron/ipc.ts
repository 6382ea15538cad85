// The main side of the preload bridge. Like electron/fiddle's IPC wrapper, it answers
// only its own window's main frame on the kiosk origin; anything else is refused.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { IpcChannels, ShellStatus } from './preload.cts';

const GET_KEY: IpcChannels['getKey'] = 'kiosk:get-key';
const STATUS: IpcChannels['status'] = 'kiosk:status';

export interface IpcOptions {
  key: string;
  origin: string;
  /** The kiosk window's web contents right now (it changes when the window is recreated). */
  contents: () => WebContents | undefined;
}

/** Is the sender the kiosk window's top frame, showing the kiosk origin? */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, options: Pick<IpcOptions, 'origin' | 'contents'>): boolean {
  const frame = event.senderFrame;
  if (frame === null || event.sender !== options.contents()) return false;
  if (frame.parent !== null) return false;
  return URL.canParse(frame.url) && new URL(frame.url).origin === options.origin;
}

export function setupIpc(ipcMain: IpcMain, options: IpcOptions): void {
  ipcMain.handle(GET_KEY, (event) => {
    if (!isTrustedSender(event, options)) throw new Error('refused');
    return options.key;
  });
}

export function sendStatus(contents: WebContents | undefined, status: ShellStatus): void {
  if (contents !== undefined && !contents.isDestroyed()) contents.send(STATUS, status);
}
