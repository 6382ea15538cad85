// npm run test:electron: the Electron shell on the real Electron binary, the built app
// (dist/electron/main.js) started as `kiosk-shell` starts it, on an Xvfb screen with no
// window manager (as kiosks run), against the demo upstream. Playwright drives the main
// process and the page; the screen is read as X shows it; commands go out and acks come
// back as the fleet sends and sees them. The checks run in order on one kiosk; the crash
// comes last.
import jpeg from 'jpeg-js';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoEvents } from '../../kiosk/demo/content.ts';
import { ApiUpstream } from '../support/upstream-api.ts';
import { waitFor } from '../support/wait.ts';
import { clickAt, darkShare, grabScreen, meanColour, pressKeys, startXvfb, topWindows, type Xvfb } from '../support/xvfb.ts';
import { electronBinary, Fleet, KIOSK_ID, kioskLogTail, kioskMachine, launchBuiltApp, SCREEN, type KioskMachine } from './kit.ts';

const HOME = '#root[data-screen="home"] [data-testid="event"]';
const { width: W, height: H } = SCREEN;

let xvfb: Xvfb;
let fleet: Fleet;
let machine: KioskMachine;
let app: ElectronApplication;
let page: Page;
let origin: string;

interface WindowState {
  count: number;
  fullScreen?: boolean;
  kiosk?: boolean;
  visible?: boolean;
  bounds?: { x: number; y: number; width: number; height: number };
  url?: string;
  devTools?: boolean;
  pid?: number;
  crashed?: boolean;
}

/** The kiosk's windows as the main process knows them. */
function windowState(): Promise<WindowState> {
  return app.evaluate(({ BrowserWindow }) => {
    const windows = BrowserWindow.getAllWindows();
    const window = windows[0];
    if (window === undefined) return { count: 0 };
    const contents = window.webContents;
    return {
      count: windows.length,
      fullScreen: window.isFullScreen(),
      kiosk: window.isKiosk(),
      visible: window.isVisible(),
      bounds: window.getBounds(),
      url: contents.getURL(),
      devTools: contents.isDevToolsOpened(),
      pid: contents.getOSProcessId(),
      crashed: contents.isCrashed(),
    };
  });
}

/** How many events the kiosk window shows on its home screen, asked by the main process (it works whatever became of Playwright's page). */
function eventsShown(): Promise<number> {
  return app.evaluate(async ({ BrowserWindow }, selector) => {
    const contents = BrowserWindow.getAllWindows()[0]?.webContents;
    if (contents === undefined || contents.isDestroyed() || contents.isCrashed() || contents.isLoading()) return 0;
    const count = contents.executeJavaScript(`document.querySelectorAll(${JSON.stringify(selector)}).length`) as Promise<number>;
    return Promise.race([count, new Promise<number>((resolve) => setTimeout(() => resolve(0), 2000))]);
  }, HOME);
}

const screenRgb = () => grabScreen(xvfb.display, W, H);
const rgbOf = (rgba: Uint8Array) => Uint8Array.from(rgba.filter((_, i) => i % 4 !== 3));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  xvfb = await startXvfb(`${W}x${H}x24`);
  fleet = await Fleet.start();
  machine = kioskMachine(fleet);
  try {
    app = await launchBuiltApp(electronBinary(), machine, xvfb.display);
    page = await app.firstWindow({ timeout: 60_000 });
    await page.waitForSelector(HOME, { timeout: 60_000 });
    origin = new URL(page.url()).origin;
    await fleet.hello();
  } catch (error) {
    throw new Error(`the kiosk did not come up: ${String(error)}\n${kioskLogTail(machine)}`, { cause: error });
  }
}, 180_000);

afterEach((context) => {
  // The kiosk's own log says what it saw.
  if (context.task.result?.state === 'fail') process.stderr.write(`${kioskLogTail(machine)}\n`);
});

afterAll(async () => {
  await app?.close().catch(() => undefined);
  await fleet?.close();
  xvfb?.process.kill();
  machine?.remove();
});

describe('the Electron shell on the real binary', () => {
  it('opens one window that covers the screen in kiosk mode, on the kiosk origin, with no Node and only the bridge in the page', async () => {
    const state = await windowState();
    // isFullScreen() mirrors what a window manager granted; on a bare X server there is none,
    // so what is checked is what a person sees: one frameless window over the whole screen.
    expect(state, JSON.stringify(state)).toMatchObject({ count: 1, kiosk: true, visible: true, crashed: false, devTools: false, bounds: { x: 0, y: 0 } });
    expect(state.bounds?.width).toBeGreaterThanOrEqual(W - 1);
    expect(state.bounds?.height).toBeGreaterThanOrEqual(H - 1);
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The page's address carries no key: the page asks the preload for it.
    expect(state.url).toBe(`${origin}/`);
    const covering = () => topWindows(xvfb.display).filter((w) => w.x <= 0 && w.y <= 0 && w.width >= W - 1 && w.height >= H - 1);
    await waitFor(() => covering().length > 0, { timeoutMs: 10_000, intervalMs: 100, what: `a window covering the screen (have ${JSON.stringify(topWindows(xvfb.display))})` });
    expect(await page.evaluate(() => [typeof require, typeof process, Object.keys((window as unknown as { kiosk?: object }).kiosk ?? {}).sort()])).toEqual([
      'undefined',
      'undefined',
      ['getKey', 'onStatus'],
    ]);
  });

  it('shows the content API\'s events, fetched through the local /api with the key from the preload', async () => {
    // The demo's own titles (only its API, behind its token, hands them out).
    const titles = new Set(demoEvents().map((event) => event.title));
    const shown = await page.$$eval('[data-testid="event"] .event__title', (headings) => headings.map((heading) => heading.textContent.trim()));
    expect(shown.length).toBeGreaterThan(0);
    for (const title of shown) expect(titles.has(title), title).toBe(true);
    expect(await eventsShown()).toBeGreaterThan(0);
    const statuses = await page.evaluate(async () => {
      const key = await (window as unknown as { kiosk: { getKey(): Promise<string> } }).kiosk.getKey();
      const withKey = await fetch('/api/events/', { headers: { 'X-Kiosk-Key': key } });
      const without = await fetch('/api/events/');
      return [withKey.status, without.status, (await withKey.text()).length > 2];
    });
    expect(statuses).toEqual([200, 401, true]);
    // The upstream's token stays in the main process.
    expect(await page.content()).not.toContain(fleet.token);
  });

  it('reloads the window on a reset and acknowledges it "reloaded", the content fetched again from the kiosk origin only', async () => {
    await page.evaluate(() => ((window as unknown as { smokeMark?: string }).smokeMark = 'before the reset'));
    const requests: string[] = [];
    const record = (request: { url(): string }) => requests.push(request.url());
    page.on('request', record);
    const eventsFetched = page.waitForResponse((response) => response.url().startsWith(`${origin}/api/events/`) && response.status() === 200, { timeout: 30_000 });
    const id = fleet.reset();
    expect(await fleet.ack(id)).toMatchObject({ type: 'kiosk.ack', id, kiosk: KIOSK_ID, status: 'reloaded', ms: expect.any(Number) as number });
    await eventsFetched;
    await page.waitForSelector(HOME, { timeout: 30_000 });
    page.off('request', record);
    expect(await page.evaluate(() => (window as unknown as { smokeMark?: string }).smokeMark)).toBeUndefined();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
  });

  it('answers a screenshot command "done", after a JPEG of what the screen shows', async () => {
    const id = fleet.command('screenshot', { args: { maxWidth: 800 } });
    expect(await fleet.ack(id)).toMatchObject({ command: 'screenshot', status: 'done', kiosk: KIOSK_ID });
    const frames = fleet.frames('kiosk.screenshot', id);
    expect(frames).toHaveLength(1);
    const frame = frames[0] ?? {};
    expect(frame).toMatchObject({ mime: 'image/jpeg', takenAt: expect.any(String) as string });
    const image = jpeg.decode(Buffer.from(String(frame.data), 'base64'), { useTArray: true });
    expect([image.width, image.height]).toEqual([frame.width, frame.height]);
    expect(image.width).toBeLessThanOrEqual(800);
    expect(image.width / image.height).toBeCloseTo(W / H, 1);
    expect(darkShare(rgbOf(image.data))).toBeLessThan(0.9);
    const ours = meanColour(image.data, 4);
    const screen = meanColour(await screenRgb(), 3);
    for (let c = 0; c < 3; c++) expect(Math.abs((ours[c] ?? 0) - (screen[c] ?? 0)), `channel ${c}: ${ours.join()} vs ${screen.join()}`).toBeLessThan(16);
    const order = (status: string) => fleet.demo.received.findIndex((m) => m.id === id && (m.type === 'kiosk.screenshot' ? status === 'image' : m.status === status));
    expect(order('image')).toBeLessThan(order('done'));
  });

  it('acknowledges display off, goes black, and on again', async () => {
    const off = fleet.command('display', { args: { power: 'off' } });
    expect(await fleet.ack(off)).toMatchObject({ command: 'display', status: 'done' });
    await waitFor(async () => darkShare(await screenRgb()) > 0.99, { timeoutMs: 10_000, intervalMs: 200, what: 'a black screen' });
    const on = fleet.command('display', { args: { power: 'on' } });
    expect(await fleet.ack(on)).toMatchObject({ command: 'display', status: 'done' });
    await waitFor(async () => darkShare(await screenRgb()) < 0.5, { timeoutMs: 10_000, intervalMs: 200, what: 'the page on the screen again' });
    await page.waitForSelector(HOME);
  });

  it('denies navigation away, new windows and foreign frames: nothing reaches another origin', async () => {
    // Another site on loopback that records every connection: the kiosk must never reach it.
    const foreign = await new ApiUpstream().start();
    try {
      const before = await windowState();
      const port = new URL(origin).port;
      for (const target of [foreign.url, `http://localhost:${port}/`, 'file:///etc/hostname']) {
        await page.evaluate((url) => void (location.href = url), target).catch(() => undefined);
        await sleep(500);
      }
      const opened = await page.evaluate((url) => window.open(url), foreign.url);
      await page.evaluate((url) => {
        const frame = document.createElement('iframe');
        frame.src = url;
        document.body.append(frame);
      }, foreign.url);
      await sleep(1500);
      expect(opened).toBeNull();
      expect(new URL(page.url()).origin).toBe(origin);
      expect(await windowState()).toMatchObject({ count: 1, pid: before.pid, url: `${origin}/` });
      expect(app.windows()).toHaveLength(1);
      expect(foreign.tcpConnections).toBe(0);
      expect(foreign.requests).toEqual([]);
      await page.waitForSelector(HOME);
    } finally {
      await foreign.stop();
    }
  });

  it('keeps devtools closed: asked by the main process, or by a person at the keyboard', async () => {
    // Windows a person could see (Chromium keeps tiny helper windows that come and go).
    const visible = () => topWindows(xvfb.display).filter((w) => w.width > 100 && w.height > 100).length;
    const windowsBefore = visible();
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.webContents.openDevTools({ mode: 'detach' }));
    // Focus on the page first, at a spot that does nothing (the top bar's corner).
    await clickAt(xvfb.display, 4, 4);
    await pressKeys(xvfb.display, ['F12', 'ctrl+shift+i', 'ctrl+shift+j', 'ctrl+shift+c']);
    await sleep(1500);
    expect(await windowState()).toMatchObject({ count: 1, devTools: false });
    expect(app.windows()).toHaveLength(1);
    expect(visible()).toBe(windowsBefore);
  });

  it('brings the content back after forcefullyCrashRenderer', async () => {
    const before = await windowState();
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.webContents.forcefullyCrashRenderer());
    await waitFor(
      async () => {
        const now = await windowState();
        return now.count === 1 && now.crashed === false && now.pid !== before.pid && (now.pid ?? 0) > 0;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'a new renderer' },
    );
    await waitFor(async () => (await eventsShown()) > 0, { timeoutMs: 30_000, intervalMs: 250, what: 'the events on the home screen again' });
    expect(await windowState()).toMatchObject({ count: 1, url: `${origin}/`, kiosk: true });
    await waitFor(async () => darkShare(await screenRgb()) < 0.5, { timeoutMs: 10_000, intervalMs: 200, what: 'the page on the screen' });
  });
});
