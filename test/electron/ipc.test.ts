import { describe, expect, it } from 'vitest';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { isTrustedSender, sendStatus, setupIpc } from '../../electron/ipc.ts';
import { FakeIpcMain, FakeWebContents } from './electron-fake.ts';

const ORIGIN = 'http://127.0.0.1:4321';
const own = new FakeWebContents();
const options = {
  key: 'the-launch-key',
  origin: ORIGIN,
  contents: () => own as unknown as WebContents,
  power: () => 'off' as const,
};
const mainFrame = { url: `${ORIGIN}/`, parent: null };

function event(sender: FakeWebContents, frame: { url: string; parent: unknown } | null) {
  return { sender, senderFrame: frame } as unknown as IpcMainInvokeEvent;
}

describe('the key over IPC', () => {
  const ipc = new FakeIpcMain();
  setupIpc(ipc as unknown as IpcMain, options);
  const getKey = ipc.handlers.get('kiosk:get-key');

  it('is handed to the kiosk window\'s main frame on the kiosk origin', () => {
    expect(getKey?.(event(own, mainFrame))).toBe('the-launch-key');
  });

  it.each([
    ['another web contents', event(new FakeWebContents(), mainFrame)],
    ['a sub-frame', event(own, { url: `${ORIGIN}/`, parent: mainFrame })],
    ['a foreign origin', event(own, { url: 'https://evil.example/', parent: null })],
    ['the kiosk host on another port', event(own, { url: 'http://127.0.0.1:1/', parent: null })],
    ['a frame already gone', event(own, null)],
  ])('is refused to %s', (_what, e) => {
    expect(() => getKey?.(e)).toThrow('refused');
    expect(isTrustedSender(e, options)).toBe(false);
  });
});

describe('the page agent\'s channels', () => {
  const ipc = new FakeIpcMain();
  setupIpc(ipc as unknown as IpcMain, options);
  const displayNow = ipc.listeners.get('kiosk:display-now');

  it('take no report from the page: input comes from the main process, which a page cannot forge', () => {
    expect([...ipc.listeners.keys()]).toEqual(['kiosk:display-now']);
    expect([...ipc.handlers.keys()]).toEqual(['kiosk:get-key']);
  });

  it('tell the display power a new document starts with, and a stranger learns nothing', () => {
    const trusted = { ...event(own, mainFrame), returnValue: undefined as unknown };
    displayNow?.(trusted);
    expect(trusted.returnValue).toBe('off');
    const stranger = { ...event(new FakeWebContents(), mainFrame), returnValue: undefined as unknown };
    displayNow?.(stranger);
    expect(stranger.returnValue).toBe('on');
  });
});

describe('status', () => {
  it('goes to the window on the status channel, and not to a destroyed one', () => {
    const contents = new FakeWebContents();
    sendStatus(contents as unknown as WebContents, { networkOnline: false });
    expect(contents.sent).toEqual([{ channel: 'kiosk:status', args: [{ networkOnline: false }] }]);
    contents.destroyed = true;
    sendStatus(contents as unknown as WebContents, { networkOnline: true });
    expect(contents.sent).toHaveLength(1);
  });
});
