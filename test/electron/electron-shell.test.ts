// The Electron shell over the fake window: events become failures, remedies become calls.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ElectronShell } from '../../electron/electron-shell.ts';
import { createKioskWindow } from '../../electron/window.ts';
import { createLogger } from '../../core/logger.ts';
import type { ShellToPage } from '../../protocol/page.ts';
import type { PagesPort } from '../../server/relay.ts';
import { LogCapture } from '../support/kiosk.ts';
import { fake, FakeBrowserWindow, FakeNativeImage, FakePowerSaveBlocker, FakeSession } from './electron-fake.ts';

const ORIGIN = 'http://127.0.0.1:4321';
const logger = createLogger({ destination: new LogCapture() });
let shell: ElectronShell;
let failures: string[];
let told: ShellToPage[];
let session: FakeSession;
let blocker: FakePowerSaveBlocker;

function open(options: { dev?: boolean; unresponsiveMs?: number } = {}) {
  told = [];
  session = new FakeSession();
  blocker = new FakePowerSaveBlocker();
  shell = new ElectronShell({
    app: fake.app,
    url: `${ORIGIN}/`,
    origin: ORIGIN,
    preload: '/app/preload.cjs',
    dev: options.dev ?? false,
    logger,
    pages: { tell: (message: ShellToPage) => told.push(message) } as unknown as PagesPort,
    session: session,
    powerSaveBlocker: blocker,
    unresponsiveMs: options.unresponsiveMs ?? 100,
  });
  failures = [];
  shell.on('failure', (kind) => failures.push(kind));
  void shell.open();
  return FakeBrowserWindow.instances.at(-1) as FakeBrowserWindow;
}

beforeEach(() => {
  FakeBrowserWindow.instances.length = 0;
  fake.app.calls.length = 0;
});
afterEach(() => vi.useRealTimers());

describe('the kiosk window', () => {
  it('is fullscreen kiosk, frameless, sandboxed, isolated, without Node, with the preload', () => {
    const window = open();
    expect(window.options).toMatchObject({ kiosk: true, fullscreen: true, frame: false, show: false });
    expect(window.options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
    expect(window.calls).toContain('removeMenu');
    expect(window.loadedUrl).toBe('http://127.0.0.1:4321/');
  });

  it('has a frame and devtools with --dev, and never gives up the sandbox', () => {
    const window = open({ dev: true });
    expect(window.options).toMatchObject({ kiosk: false, frame: true });
    expect(window.options.webPreferences).toMatchObject({ devTools: true, sandbox: true, contextIsolation: true });
  });

  it('covers the primary display in kiosk mode, where no window manager makes it fullscreen', () => {
    expect(open().options).toMatchObject({ x: 0, y: 0, width: 1366, height: 768, kiosk: true, fullscreen: true });
    expect(open({ dev: true }).options).toMatchObject({ width: 1920, height: 1080 });
    expect(open({ dev: true }).options).not.toHaveProperty('x');
  });

  it('has no preload at all for the diagnostic window', () => {
    const window = createKioskWindow({ dev: false }) as unknown as FakeBrowserWindow;
    expect(window.options.webPreferences).not.toHaveProperty('preload');
  });

  it('shows itself once ready', () => {
    const window = open();
    window.emit('ready-to-show');
    expect(window.calls).toContain('show');
  });
});

describe('failures', () => {
  it('reports a renderer that is gone as crashed, but not a clean exit', () => {
    const window = open();
    window.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(failures).toEqual([]);
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(failures).toEqual(['crashed']);
    expect(shell.rendererState()).toBe('crashed');
  });

  it('reports a window unresponsive for the whole grace period, not a short hiccup', async () => {
    const window = open({ unresponsiveMs: 100 });
    window.emit('unresponsive');
    await new Promise((resolve) => setTimeout(resolve, 30));
    window.emit('responsive');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(failures).toEqual([]);
    window.emit('unresponsive');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(failures).toEqual(['unresponsive']);
    expect(shell.rendererState()).toBe('unresponsive');
  });

  it('reports a failed main-frame load, not a sub-frame or an aborted one', () => {
    const window = open();
    window.webContents.emit('did-fail-load', {}, -105, 'ERR_NAME_NOT_RESOLVED', 'x', false);
    window.webContents.emit('did-fail-load', {}, -3, 'ERR_ABORTED', 'x', true);
    expect(failures).toEqual([]);
    window.webContents.emit('did-fail-load', {}, -102, 'ERR_CONNECTION_REFUSED', 'x', true);
    expect(failures).toEqual(['load-failed']);
  });

  it('keeps the window from being closed by hand, and reports one lost anyway', () => {
    const window = open();
    let prevented = false;
    window.emit('close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    window.destroy();
    expect(failures).toEqual(['crashed']);
  });
});

describe('remedies', () => {
  it('reloads a live page, and crashes a hung one first so the reload can happen', async () => {
    const window = open({ unresponsiveMs: 10 });
    await shell.reload();
    expect(window.webContents.calls).toEqual(['reloadIgnoringCache']);
    window.emit('unresponsive');
    await new Promise((resolve) => setTimeout(resolve, 40));
    await shell.reload();
    expect(window.webContents.calls).toEqual(['reloadIgnoringCache', 'forcefullyCrashRenderer', 'reloadIgnoringCache']);
  });

  it('recreates: the old window is destroyed without counting as a failure, a new one loads', async () => {
    const first = open();
    await shell.recreate();
    const second = FakeBrowserWindow.instances.at(-1);
    expect(first.destroyed).toBe(true);
    expect(second).not.toBe(first);
    expect(second?.loadedUrl).toBe('http://127.0.0.1:4321/');
    expect(failures).toEqual([]);
  });

  it('relaunches the app, and then lets the window close', async () => {
    const window = open();
    await shell.relaunch();
    expect(fake.app.calls).toEqual(['relaunch', 'exit:0']);
    let prevented = false;
    window.emit('close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(false);
  });
});

describe('commands', () => {
  it('keeps the display awake while on, and lets it sleep while off, telling the page agent', async () => {
    const window = open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect([...blocker.running.values()]).toEqual(['prevent-display-sleep']);
    await shell.setDisplay('off');
    expect(blocker.running.size).toBe(0);
    expect(shell.power).toBe('off');
    await shell.setDisplay('on');
    expect([...blocker.running.values()]).toEqual(['prevent-display-sleep']);
    expect(window.webContents.sent.filter((m) => m.channel === 'kiosk:display').map((m) => m.args[0])).toEqual(['off', 'on']);
  });

  it('home: wipes the origin\'s storage and cache, then asks the page to go home', async () => {
    open();
    await shell.home('c-1');
    expect(session.cleared).toEqual([{ origin: ORIGIN, storages: ['cookies', 'filesystem', 'indexdb', 'localstorage', 'shadercache', 'serviceworkers', 'cachestorage'] }, 'cache']);
    expect(told).toEqual([{ type: 'local.home', id: 'c-1' }]);
  });

  it('clear-session: wipes, then a new window (sessionStorage goes with the old one)', async () => {
    const first = open();
    await shell.clearSession();
    expect(session.cleared).toHaveLength(2);
    expect(first.destroyed).toBe(true);
    expect(FakeBrowserWindow.instances.at(-1)).not.toBe(first);
  });

  it('screenshot: captures the page and encodes it within maxWidth and maxBytes', async () => {
    const window = open();
    FakeNativeImage.bytesPerPixel = 0.05;
    const shot = await shell.screenshot({ maxWidth: 1280, maxBytes: 50_000 });
    expect(window.webContents.calls).toContain('capturePage');
    expect(shot.width).toBeLessThanOrEqual(1280);
    expect(shot.jpeg.length).toBeLessThanOrEqual(50_000);
    expect(shot.height).toBe(Math.round((1080 * shot.width) / 1920));
  });

  it('screenshot: fails with a reason for a crashed page, and for a capture that came back empty', async () => {
    const window = open();
    window.webContents.captureSize = { width: 0, height: 0 };
    await expect(shell.screenshot({ maxWidth: 1280, maxBytes: 50_000 })).rejects.toMatchObject({ code: 'E_SHELL_ACTION', message: 'capture-empty' });
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    await expect(shell.screenshot({ maxWidth: 1280, maxBytes: 50_000 })).rejects.toMatchObject({ code: 'E_SHELL_ACTION', message: 'renderer-crashed' });
  });

  it('reports the window\'s real input from the main process: starts only, twice a second at most, as wake while dark', async () => {
    const window = open();
    const seen: string[] = [];
    shell.on('input', () => seen.push('input'));
    shell.on('wake', () => seen.push('wake'));
    const input = (type: string) => window.webContents.emit('input-event', {}, { type, modifiers: [] });
    for (const type of ['mouseMove', 'mouseUp', 'touchEnd', 'keyUp', 'char']) input(type);
    expect(seen).toEqual([]);
    input('touchStart');
    input('mouseDown');
    expect(seen).toEqual(['input']);
    await new Promise((resolve) => setTimeout(resolve, 550));
    await shell.setDisplay('off');
    input('rawKeyDown');
    expect(seen).toEqual(['input', 'wake']);
    // A window that is no longer the kiosk's reports nothing.
    await shell.recreate();
    await new Promise((resolve) => setTimeout(resolve, 550));
    input('mouseDown');
    expect(seen).toEqual(['input', 'wake']);
  });
});
