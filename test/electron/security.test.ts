import { describe, expect, it } from 'vitest';
import type { Session, WebContents } from 'electron';
import { hardenContents, hardenSession, isBlockedShortcut, isKioskUrl } from '../../electron/security.ts';
import { createLogger } from '../../core/logger.ts';
import { LogCapture } from '../support/kiosk.ts';
import { FakeSession, FakeWebContents } from './electron-fake.ts';

const ORIGIN = 'http://127.0.0.1:4321';
const logger = createLogger({ destination: new LogCapture() });
const options = (dev = false) => ({ origin: () => ORIGIN, dev, logger });

function harden(dev = false) {
  const contents = new FakeWebContents();
  hardenContents(contents as unknown as WebContents, options(dev));
  return contents;
}

/** Emits an event with a preventable first argument; true when a listener prevented it. */
function emitPreventable(target: FakeWebContents | FakeSession, name: string, ...args: unknown[]): boolean {
  let prevented = false;
  const event = { preventDefault: () => (prevented = true), url: args[0] };
  target.emit(name, event, ...args);
  return prevented;
}

describe('every web contents', () => {
  it('denies every new window', () => {
    expect(harden().windowOpenHandler?.({ url: `${ORIGIN}/x` })).toEqual({ action: 'deny' });
    expect(harden().windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it.each(['will-navigate', 'will-redirect', 'will-frame-navigate'])('blocks %s away from the kiosk origin, allows its own', (event) => {
    const contents = harden();
    expect(emitPreventable(contents, event, 'https://evil.example/')).toBe(true);
    expect(emitPreventable(contents, event, 'http://127.0.0.1:9999/')).toBe(true);
    expect(emitPreventable(contents, event, 'file:///etc/passwd')).toBe(true);
    expect(emitPreventable(contents, event, `${ORIGIN}/#home`)).toBe(false);
  });

  it('blocks webviews', () => {
    expect(emitPreventable(harden(), 'will-attach-webview', {}, {})).toBe(true);
  });

  it('blocks reload and devtools shortcuts and closes devtools, unless --dev', () => {
    const locked = harden(false);
    expect(emitPreventable(locked, 'before-input-event', { type: 'keyDown', key: 'F5' })).toBe(true);
    locked.emit('devtools-opened');
    expect(locked.calls).toContain('closeDevTools');

    const dev = harden(true);
    expect(emitPreventable(dev, 'before-input-event', { type: 'keyDown', key: 'F5' })).toBe(false);
    dev.emit('devtools-opened');
    expect(dev.calls).not.toContain('closeDevTools');
  });
});

describe('shortcuts', () => {
  const key = (k: string, mods: Partial<Record<'control' | 'meta' | 'shift' | 'alt', boolean>> = {}) =>
    isBlockedShortcut({ type: 'keyDown', key: k, control: false, meta: false, shift: false, alt: false, ...mods });

  it.each([
    ['F5', {}],
    ['F12', {}],
    ['r', { control: true }],
    ['R', { meta: true }],
    ['i', { control: true, shift: true }],
    ['+', { control: true }],
    ['0', { control: true }],
    ['p', { control: true }],
    ['ArrowLeft', { alt: true }],
    ['F4', { alt: true }],
  ] as const)('blocks %s %o', (k, mods) => expect(key(k, mods)).toBe(true));

  it.each([['a'], ['Enter'], ['ArrowLeft'], ['1']])('lets %s through', (k) => expect(key(k)).toBe(false));

  it('ignores key-up events', () => {
    expect(isBlockedShortcut({ type: 'keyUp', key: 'F5', control: false, meta: false, shift: false, alt: false })).toBe(false);
  });
});

describe('the session', () => {
  function hardened() {
    const session = new FakeSession();
    hardenSession(session as unknown as Session, options());
    return session;
  }

  it('denies every permission request and check', () => {
    const session = hardened();
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'fullscreen']) {
      session.permissionRequestHandler?.({}, permission, (granted) => answers.push(granted));
    }
    expect(answers).toEqual([false, false, false, false, false]);
    expect(session.permissionCheckHandler?.()).toBe(false);
    expect(session.devicePermissionHandler?.()).toBe(false);
    let streams: unknown = 'unset';
    session.displayMediaRequestHandler?.({}, (s) => (streams = s));
    expect(streams).toBeNull();
  });

  it('cancels requests outside the kiosk origin', () => {
    const session = hardened();
    const verdict = (url: string) => {
      let cancel: boolean | undefined;
      session.beforeRequest?.({ url }, (response) => (cancel = response.cancel));
      return cancel;
    };
    expect(verdict(`${ORIGIN}/api/events/`)).toBe(false);
    // Electron routes the page's WebSocket handshake through the same hook.
    expect(verdict('ws://127.0.0.1:4321/ws')).toBe(false);
    expect(verdict('ws://127.0.0.1:4321/other')).toBe(true);
    expect(verdict('ws://127.0.0.1:9999/ws')).toBe(true);
    expect(verdict('wss://evil.example/ws')).toBe(true);
    expect(verdict('data:image/png;base64,AAAA')).toBe(false);
    expect(verdict('https://evil.example/beacon')).toBe(true);
    expect(verdict('http://localhost:4321/')).toBe(true);
  });

  it('adds the kiosk CSP to the kiosk origin\'s responses', () => {
    const session = hardened();
    let headers: Record<string, string[]> | undefined;
    session.headersReceived?.({ url: `${ORIGIN}/`, responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => (headers = r.responseHeaders));
    expect(headers?.['Content-Security-Policy']?.[0]).toMatch(/default-src 'none'/);
    expect(headers?.['Content-Security-Policy']?.[0]).toContain('ws://127.0.0.1:4321');
  });

  it('prevents downloads', () => {
    expect(emitPreventable(hardened(), 'will-download', {})).toBe(true);
  });
});

describe('isKioskUrl', () => {
  it('matches the exact origin only', () => {
    expect(isKioskUrl(`${ORIGIN}/a?b#c`, ORIGIN)).toBe(true);
    expect(isKioskUrl('http://127.0.0.1:43210/', ORIGIN)).toBe(false);
    expect(isKioskUrl('not a url', ORIGIN)).toBe(false);
    expect(isKioskUrl(`${ORIGIN}/`, undefined)).toBe(false);
  });
});
