// Commands on the real kiosk: the Chromium shell fullscreen on an X screen (Xvfb), input
// as a person's (xdotool through the X server), the screen as X shows it (import of the
// root window), against the embedded demo upstream. Each command ends in its terminal ack.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import jpeg from 'jpeg-js';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { waitFor } from '../support/wait.ts';
import { darkShare, meanColour, xScreenForThisFile } from '../support/xvfb.ts';

const screen = xScreenForThisFile(1280, 800);
let kiosk: E2eKiosk | undefined;
let serial = 0;

afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

async function start(overrides: Record<string, unknown> = {}): Promise<E2eKiosk> {
  kiosk = await startE2eKiosk({ display: screen.display, overrides: { screenshot: { privacySeconds: 2 }, ...overrides } });
  await showsHome(kiosk.page());
  return kiosk;
}

async function showsHome(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout });
}

function send(name: string, extra: Record<string, unknown> = {}): string {
  const id = `c-${++serial}`;
  kiosk?.demo?.publish({ type: 'kiosk.command', id, command: name, target: { kiosks: ['lobby-1'] }, ...extra });
  return id;
}

const framesFor = (id: string, type = 'kiosk.ack') => (kiosk?.demo?.received ?? []).filter((m) => m.type === type && m.id === id);
const terminal = (id: string) => framesFor(id).filter((m) => m.status !== 'accepted');

async function ackOf(id: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  await waitFor(() => terminal(id).length === 1, { timeoutMs, what: `the terminal ack of ${id}` });
  return terminal(id)[0] ?? {};
}

/** Clicks a spot of the screen that does nothing (the top bar's corner), as a visitor would. */
async function touch(): Promise<void> {
  await screen.click(4, 4);
}

/** `home` from the Events screen: "done", the home screen, and what the visitor stored gone. */
async function goesHomeWiped(k: E2eKiosk): Promise<void> {
  const page = k.page();
  await page.getByRole('button', { name: /Events/ }).first().click();
  await page.waitForSelector('#root[data-screen="events"]');
  await page.evaluate(() => localStorage.setItem('visitor', 'was here'));
  const id = send('home');
  expect(await ackOf(id)).toMatchObject({ command: 'home', status: 'done' });
  await page.waitForSelector('#root[data-screen="home"]');
  expect(await page.evaluate(() => localStorage.getItem('visitor'))).toBeNull();
}

/** `clear-session`: "done", the page (re)loaded with its key, its storage and cookies gone. */
async function clearsSession(k: E2eKiosk): Promise<void> {
  await k.page().evaluate(() => {
    localStorage.setItem('visitor', 'x');
    document.cookie = 'visitor=1; path=/';
  });
  const id = send('clear-session');
  expect(await ackOf(id)).toMatchObject({ command: 'clear-session', status: 'done' });
  const now = k.page();
  await showsHome(now);
  expect(await now.evaluate(() => [localStorage.getItem('visitor'), document.cookie])).toEqual([null, '']);
}

/** A person clicking the screen every 400 ms until the returned stop() resolves. */
function keepClicking(): () => Promise<void> {
  let clicking = true;
  const clicks = (async () => {
    while (clicking) {
      await touch();
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  })();
  return async () => {
    clicking = false;
    await clicks;
  };
}

describe('on the Chromium shell', () => {
  it('screenshot: a decodable JPEG within its bounds, showing the page, sent before "done"', async () => {
    const k = await start();
    const page = k.page();
    const id = send('screenshot', { args: { maxWidth: 800 } });
    expect(await ackOf(id)).toMatchObject({ command: 'screenshot', status: 'done', kiosk: 'lobby-1' });
    const [frame] = framesFor(id, 'kiosk.screenshot');
    expect(frame).toMatchObject({ mime: 'image/jpeg', kiosk: 'lobby-1', takenAt: expect.any(String) as string });
    const data = String(frame?.data);
    expect(data.length).toBeLessThanOrEqual(k.config.screenshot.maxBytes);
    const image = jpeg.decode(Buffer.from(data, 'base64'), { useTArray: true });
    expect(image.width).toBe(frame?.width);
    expect(image.height).toBe(frame?.height);
    expect(image.width).toBeLessThanOrEqual(800);
    // The page's own colours (what the browser renders, taken by the test's own means), not black.
    const reference = jpeg.decode(await page.screenshot({ type: 'jpeg', quality: 80 }), { useTArray: true });
    const ours = meanColour(image.data, 4);
    const theirs = meanColour(reference.data, 4);
    for (let c = 0; c < 3; c++) expect(Math.abs((ours[c] ?? 0) - (theirs[c] ?? 0))).toBeLessThan(12);
    expect(darkShare(Uint8Array.from(image.data.filter((_, i) => i % 4 !== 3)))).toBeLessThan(0.9);
    const ackIndex = k.demo?.received.findIndex((m) => m.type === 'kiosk.ack' && m.id === id && m.status === 'done') ?? -1;
    const imageIndex = k.demo?.received.findIndex((m) => m.type === 'kiosk.screenshot' && m.id === id) ?? -1;
    expect(imageIndex).toBeLessThan(ackIndex);
  });

  it('screenshot of a crashed page: "failed" with the reason, and the kiosk recovers', async () => {
    const k = await start({ screenshot: { privacySeconds: 0 } });
    const crashed = k.page();
    const cdp = await crashed.context().newCDPSession(crashed);
    await waitFor(() => k.shell?.rendererState() === undefined);
    const gone = new Promise<void>((resolve) => crashed.once('crash', () => resolve()));
    await cdp.send('Page.crash').catch(() => undefined);
    await gone;
    const id = send('screenshot');
    expect(await ackOf(id)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^(renderer-crashed|capture-failed|no-page)$/) as string });
    await waitFor(() => k.shell?.page !== undefined && k.shell.page !== crashed, { timeoutMs: 15_000, what: 'a new page' });
    await showsHome(k.page());
  });

  it('screenshot: waits while someone touches the screen, and is "withheld" / "in-use" when it expires first', async () => {
    const k = await start({ screenshot: { privacySeconds: 60 } });
    await touch();
    await waitFor(() => !k.kiosk.activity.quietFor(1000), { what: 'the click seen by the shell' });
    const id = send('screenshot', { expiresAt: new Date(Date.now() + 2000).toISOString() });
    await waitFor(() => framesFor(id).length >= 1, { what: 'accepted' });
    expect(framesFor(id)[0]).toMatchObject({ status: 'accepted', waitingFor: 'privacy' });
    expect(await ackOf(id)).toMatchObject({ status: 'withheld', reason: 'in-use' });
    expect(framesFor(id, 'kiosk.screenshot')).toEqual([]);
  });

  it('display off: the X screen goes black, a touch wakes it without reaching the page, and it goes dark again', async () => {
    const k = await start({ schedule: { wakeOnTouchMinutes: 0.05 } });
    const page = k.page();
    const off = send('display', { args: { power: 'off' } });
    expect(await ackOf(off)).toMatchObject({ command: 'display', status: 'done' });
    await waitFor(async () => (await screen.darkShare()) > 0.99, { timeoutMs: 5000, what: 'a black screen' });

    // A touch on the Events tile, where a visitor would press: it wakes the screen only.
    const tile = await page.getByRole('button', { name: /Events/ }).first().boundingBox();
    expect(tile).not.toBeNull();
    await screen.click(tile!.x + tile!.width / 2, tile!.y + tile!.height / 2);
    await waitFor(async () => (await screen.darkShare()) < 0.5, { timeoutMs: 5000, what: 'the screen woken' });
    expect(await page.getAttribute('#root', 'data-screen')).toBe('home');
    expect(k.kiosk.stats.display).toBe('off-commanded');
    // wakeOnTouchMinutes (3 s here) later, it is dark again by itself.
    await waitFor(async () => (await screen.darkShare()) > 0.99, { timeoutMs: 10_000, what: 'dark again' });

    const on = send('display', { args: { power: 'on' } });
    await ackOf(on);
    await waitFor(async () => (await screen.darkShare()) < 0.5, { timeoutMs: 5000, what: 'on again' });
    // On again, a touch reaches the page as usual.
    await screen.click(tile!.x + tile!.width / 2, tile!.y + tile!.height / 2);
    await page.waitForSelector('#root[data-screen="events"]', { timeout: 5000 });
  });

  it('display off: a page script cannot bring its content back, on the screen or in a screenshot', async () => {
    const k = await start({ screenshot: { privacySeconds: 0 } });
    const page = k.page();
    expect(await ackOf(send('display', { args: { power: 'off' } }))).toMatchObject({ status: 'done' });
    const screenDark = async () => (await screen.darkShare()) > 0.99;
    await waitFor(screenDark, { timeoutMs: 5000, what: 'a black screen' });
    // What a page (or a script injected into it) might try, in the page's own world.
    const attacks = [
      `document.querySelectorAll('[popover]').forEach((e) => e.style.setProperty('opacity', '0', 'important'))`,
      `document.querySelectorAll('[popover]').forEach((e) => e.hidePopover())`,
      `document.querySelectorAll('[popover]').forEach((e) => e.removeAttribute('popover'))`,
      `document.head.insertAdjacentHTML('beforeend', '<style>html [popover] { display: none !important; visibility: hidden !important }</style>')`,
      `document.querySelectorAll('[popover]').forEach((e) => e.remove())`,
      `(() => { const d = document.createElement('dialog'); d.style.cssText = 'width:100vw;height:100vh;max-width:none;max-height:none;background:#fff;margin:0'; d.textContent = 'page content'; document.body.append(d); d.showModal(); })()`,
    ];
    for (const attack of attacks) {
      await page.evaluate(attack);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await screenDark(), attack).toBe(true);
    }
    const shot = send('screenshot');
    expect(await ackOf(shot)).toMatchObject({ status: 'done' });
    const [frame] = framesFor(shot, 'kiosk.screenshot');
    const image = jpeg.decode(Buffer.from(String(frame?.data), 'base64'), { useTArray: true });
    expect(darkShare(Uint8Array.from(image.data.filter((_, i) => i % 4 !== 3)))).toBe(1);
    expect(await ackOf(send('display', { args: { power: 'on' } }))).toMatchObject({ status: 'done' });
    await waitFor(async () => !(await screenDark()), { timeoutMs: 5000, what: 'on again' });
  });

  it('keeps the X display awake while it is on (no screensaver)', async () => {
    await start();
    const { stdout } = await promisify(execFile)('xset', ['q'], { env: { ...process.env, DISPLAY: screen.display } });
    expect(stdout).toMatch(/Screen Saver:[\s\S]*timeout:\s+0\s/);
  });

  it('home: back to the home screen with the visitor\'s storage wiped; "done"', async () => {
    await goesHomeWiped(await start());
  });

  it('clear-session: storage and cookies of the kiosk origin wiped, the page reloaded with its key; "done"', async () => {
    await clearsSession(await start());
  });

  it('restart: a new browser, content back; "done"', async () => {
    const k = await start();
    const before = k.page();
    const id = send('restart');
    expect(await ackOf(id, 40_000)).toMatchObject({ command: 'restart', status: 'done' });
    const after = k.page();
    expect(after).not.toBe(before);
    expect(before.isClosed()).toBe(true);
    await showsHome(after);
  });

  it('reset as a command: reloaded; an unknown command: "failed" / "unknown-command"', async () => {
    await start();
    const reset = send('reset');
    expect(await ackOf(reset)).toMatchObject({ command: 'reset', status: 'reloaded' });
    const unknown = send('explode');
    expect(await ackOf(unknown)).toMatchObject({ status: 'failed', reason: 'unknown-command' });
  });

  it('when: idle waits while a person clicks, and runs once the clicks stop', async () => {
    const k = await start({ idle: { returnHomeSeconds: 2 } });
    await touch();
    await waitFor(() => !k.kiosk.activity.quietFor(1000), { what: 'the click seen by the shell' });
    const stop = keepClicking();
    const id = send('reset', { when: 'idle' });
    await waitFor(() => framesFor(id).length >= 1, { what: 'accepted' });
    expect(framesFor(id)[0]).toMatchObject({ status: 'accepted', waitingFor: 'idle' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(terminal(id)).toEqual([]);
    await stop();
    const stoppedAt = Date.now();
    expect(await ackOf(id)).toMatchObject({ status: 'reloaded' });
    expect(Date.now() - stoppedAt).toBeGreaterThan(1000);
  });

  it('when: idle runs at its deadline even while a person keeps clicking', async () => {
    const k = await start({ idle: { returnHomeSeconds: 30 } });
    const stop = keepClicking();
    try {
      await waitFor(() => !k.kiosk.activity.quietFor(1000), { what: 'the clicks seen by the shell' });
      const id = send('reset', { when: 'idle', deadline: new Date(Date.now() + 2500).toISOString() });
      expect(await ackOf(id)).toMatchObject({ status: 'reloaded' });
    } finally {
      await stop();
    }
  });
});

describe('under serve (the headless shell: the page in a browser the shell does not drive does it itself)', () => {
  async function serve(overrides: Record<string, unknown> = {}): Promise<E2eKiosk> {
    kiosk = await startE2eKiosk({ shell: 'headless', overrides });
    await showsHome(kiosk.page());
    return kiosk;
  }

  it('home: the page goes home and wipes what the visitor left; "done"', async () => {
    await goesHomeWiped(await serve());
  });

  it('clear-session: the page wipes its origin (Clear-Site-Data included) and reloads with its key; "done"', async () => {
    await clearsSession(await serve());
  });

  it('display off: the page blanks itself and a touch wakes it without pressing anything', async () => {
    const k = await serve({ schedule: { wakeOnTouchMinutes: 0.05 } });
    const page = k.page();
    const blackness = async () => darkShare(Uint8Array.from(jpeg.decode(await page.screenshot({ type: 'jpeg' }), { useTArray: true }).data.filter((_, i) => i % 4 !== 3)));
    expect(await ackOf(send('display', { args: { power: 'off' } }))).toMatchObject({ status: 'done' });
    await waitFor(async () => (await blackness()) > 0.99, { what: 'a black page' });
    const tile = await page.getByRole('button', { name: /Events/ }).first().boundingBox();
    await page.mouse.click(tile!.x + tile!.width / 2, tile!.y + tile!.height / 2);
    await waitFor(async () => (await blackness()) < 0.5, { what: 'woken' });
    expect(await page.getAttribute('#root', 'data-screen')).toBe('home');
  });

  it('screenshot: "ignored" / "no-window"; reset: "reloaded"', async () => {
    await serve();
    expect(await ackOf(send('screenshot'))).toMatchObject({ status: 'ignored', reason: 'no-window' });
    expect(await ackOf(send('reset'))).toMatchObject({ status: 'reloaded' });
  });
});
