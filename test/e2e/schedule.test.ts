// The schedule on the real kiosk and the real clock: a display-off window that starts now
// blanks the X screen (and kiosk.status says why), a touch wakes it without reaching the
// page, and the window's end brings it back by itself; a restart window that holds now
// restarts the browser once, after the clicking stops; a page that grows past its memory
// limit is replaced and shows content again.
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { waitFor } from '../support/wait.ts';
import { xScreenForThisFile } from '../support/xvfb.ts';

const screen = xScreenForThisFile(1280, 800);
let kiosk: E2eKiosk | undefined;

afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

/**
 * A clock for the kiosk side that reads `second` seconds into a minute now and runs on from
 * there, so a schedule by the minute starts or ends within seconds, not minutes (every part
 * of the kiosk side reads this one clock).
 */
function clockAt(second: number): () => number {
  const offset = second * 1000 - (Date.now() % 60_000);
  return () => Date.now() + offset;
}

/** "HH:MM" in UTC on `clock`, `minutes` from its now. */
function utcClock(minutes: number, clock: () => number): string {
  const at = new Date(clock() + minutes * 60_000);
  return `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
}

async function showsHome(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout });
}

const statuses = () => (kiosk?.demo?.received ?? []).filter((m) => m.type === 'kiosk.status');

describe('the schedule on the Chromium shell', () => {
  it('blanks the X screen in a window that starts now, wakes on a touch that never reaches the page, and lights it at the window\'s end', async () => {
    // The window is this minute: it ends 30 s after the kiosk starts.
    const now = clockAt(30);
    kiosk = await startE2eKiosk({
      display: screen.display,
      now,
      overrides: {
        status: { intervalSeconds: 1 },
        schedule: { timezone: 'UTC', displayOff: [{ days: 'daily', from: utcClock(0, now), to: utcClock(1, now) }], wakeOnTouchMinutes: 0.05 },
      },
    });
    const page = kiosk.page();
    await waitFor(async () => (await screen.darkShare()) > 0.99, { timeoutMs: 10_000, what: 'a black screen' });
    await waitFor(() => statuses().some((s) => s.display === 'off-scheduled'), { timeoutMs: 5000, what: 'kiosk.status off-scheduled' });

    await showsHome(page);
    const tile = await page.getByRole('button', { name: /Events/ }).first().boundingBox();
    await screen.click(tile!.x + tile!.width / 2, tile!.y + tile!.height / 2);
    await waitFor(async () => (await screen.darkShare()) < 0.5, { timeoutMs: 5000, what: 'woken by the touch' });
    expect(await page.getAttribute('#root', 'data-screen')).toBe('home');
    await waitFor(async () => (await screen.darkShare()) > 0.99, { timeoutMs: 10_000, what: 'dark again after wakeOnTouchMinutes' });

    // The window ends at the next full minute: the screen comes back by itself.
    await waitFor(async () => (await screen.darkShare()) < 0.5, { timeoutMs: 40_000, intervalMs: 500, what: 'the display on at the window\'s end' });
    await waitFor(() => statuses().at(-1)?.display === 'on', { timeoutMs: 5000, what: 'kiosk.status on' });
  }, 90_000);
});

describe('the daily restart and the memory limit (headless)', () => {
  it('restarts the browser once in a window that opens while it runs, after the clicking stops, and shows content again', async () => {
    // The window opens at the next full minute, 12 s after the kiosk starts.
    const now = clockAt(48);
    kiosk = await startE2eKiosk({
      now,
      overrides: { idle: { returnHomeSeconds: 2 }, schedule: { timezone: 'UTC', restart: { at: utcClock(1, now), jitterMinutes: 0 } } },
    });
    const before = kiosk.page();
    await showsHome(before);
    // Clicking from before the window opens until 3 s into it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 60_000 - (now() % 60_000) - 2000)));
    let clicking = true;
    const clicks = (async () => {
      while (clicking) {
        await before.mouse.click(4, 4).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(kiosk.page()).toBe(before);
    clicking = false;
    await clicks;
    await waitFor(() => kiosk!.shell?.page !== undefined && kiosk!.shell.page !== before, { timeoutMs: 60_000, what: 'a new browser' });
    const after = kiosk.page();
    await showsHome(after);
    // Still inside the window: no second restart.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(kiosk.page()).toBe(after);
    expect(kiosk.kiosk.stats.recovery.relaunches).toBe(1);
  }, 90_000);

  it('replaces a page that grows past recovery.maxRendererMemoryMB, and it shows content again', async () => {
    // The limit is on the renderer process's memory (as Electron's getAppMetrics counts it),
    // well above what this page's renderer holds at the start.
    kiosk = await startE2eKiosk({ overrides: { recovery: { maxRendererMemoryMB: 512, memoryCheckSeconds: 1 } } });
    const grown = kiosk.page();
    await showsHome(grown);
    // The renderer process's resident memory (the JS heap of this page is a few MiB).
    await waitFor(async () => ((await kiosk!.shell!.rendererMemoryMB()) ?? 0) > 32, { timeoutMs: 10_000, intervalMs: 200, what: "the renderer process's memory read" });
    expect(await kiosk.shell!.rendererMemoryMB()).toBeLessThan(512);
    // A leak on purpose: the page keeps 32 MB more every 100 ms (up to 1 GB) until it is replaced.
    await grown.evaluate(() => {
      const hoard: Float64Array[] = [];
      (window as unknown as { hoard: Float64Array[] }).hoard = hoard;
      const timer = setInterval(() => {
        if (hoard.length >= 32) return clearInterval(timer);
        hoard.push(new Float64Array(4_000_000).fill(hoard.length + 0.5));
      }, 100);
    });
    await waitFor(() => kiosk!.shell?.page !== undefined && kiosk!.shell.page !== grown, { timeoutMs: 15_000, what: 'the renderer replaced' });
    await showsHome(kiosk.page());
    expect(kiosk.kiosk.stats.memory.recycled).toBe(1);
  });
});
