// "Content the kiosk has shown once stays available when the API upstream is down": the real
// kiosk in Debian's Chromium, its pub/sub hub and its content API each an embedded demo
// upstream (so that the API can go down while resets still arrive, as when a site's CMS
// fails). After a first load, the API stops; a reset reloads the page, which shows the last
// content from the relay's offline copy, marked as not current, never the outage screen; a
// language chosen before the outage is there too; and so after a plain reload with the hub
// gone as well.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { demoEvents } from '../../kiosk/demo/content.ts';
import { startDemoUpstream, type DemoUpstream } from '../../kiosk/demo/demo-upstream.ts';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { LogCapture } from '../support/kiosk.ts';
import { waitFor } from '../support/wait.ts';
import { chooseLanguage, screenIs } from './visitor-helpers.ts';

let kiosk: E2eKiosk | undefined;
const upstreams: DemoUpstream[] = [];
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-offline-e2e-'));

afterAll(async () => {
  await kiosk?.close();
  for (const upstream of upstreams) await upstream.close();
  rmSync(stateDir, { recursive: true, force: true });
});

async function eventTitles(page: Page): Promise<string[]> {
  await page.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout: 15_000 });
  return (await page.locator('[data-testid="event"] .event__title').allTextContents()).map((title) => title.trim());
}

/** The page shows content marked as not current ("Information may not be up to date · As of …"), and no outage screen. */
async function showsKeptContent(page: Page, notCurrent: string): Promise<void> {
  await expect.poll(() => page.getAttribute('[data-testid="connection"]', 'data-current'), { timeout: 15_000 }).toBe('false');
  expect(await page.locator('[data-testid="updating-paused"]').textContent()).toBe(notCurrent);
  expect(await page.locator('[data-testid="stale-age"]').textContent()).toMatch(/\d/);
  expect(await page.locator('[data-testid="offline"]').count()).toBe(0);
}

/** Some events are shown (which ones depends on the time of day), each one of `titles`. */
function allIn(shown: string[], titles: string[]): boolean {
  return shown.length > 0 && shown.every((title) => titles.includes(title));
}

it('shows the last content, marked as not current, after a reset and a reload during an API outage, in each language it showed', async () => {
  const token = `Token e2e-${randomBytes(24).toString('hex')}`;
  const logger = createLogger({ destination: new LogCapture() });
  const hub = await startDemoUpstream({ logger, kioskToken: token });
  const api = await startDemoUpstream({ logger, kioskToken: token });
  upstreams.push(hub, api);
  kiosk = await startE2eKiosk({ upstream: { wsUrl: hub.wsUrl, apiUrl: api.apiUrl, token }, stateDir });
  const page = kiosk.page();

  // A first load, in English, then in Spanish: both are kept.
  const english = demoEvents(new Date(), 'en').map((event) => event.title);
  const spanish = demoEvents(new Date(), 'es').map((event) => event.title);
  expect(english.some((title) => spanish.includes(title))).toBe(false);
  expect((await eventTitles(page)).every((title) => english.includes(title))).toBe(true);
  await expect.poll(() => page.getAttribute('[data-testid="connection"]', 'data-current')).toBe('true');
  await chooseLanguage(page, 'Español', 'es');
  await expect.poll(async () => allIn(await eventTitles(page), spanish)).toBe(true);
  await waitFor(() => kiosk!.server.status().api.offlineCache.entries >= 4, { what: 'English and Spanish kept' });

  // The content API goes down; the hub stays, and sends a reset.
  await api.close();
  await waitFor(() => hub.connectedKiosks() === 1, { what: 'the uplink' });
  hub.publish({ type: 'kiosk.command', id: 'c-offline-1', command: 'reset', target: { kiosks: ['lobby-1'] } });
  await waitFor(() => hub.received.some((m) => m.type === 'kiosk.ack' && m.id === 'c-offline-1' && m.status !== 'accepted'), {
    timeoutMs: 20_000,
    what: 'the reset\'s ack',
  });
  expect(hub.received.find((m) => m.type === 'kiosk.ack' && m.id === 'c-offline-1' && m.status !== 'accepted')).toMatchObject({ status: 'reloaded' });

  // Back in English after the reload, from the kept copy.
  await screenIs(page, 'home');
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  const kept = await eventTitles(page);
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.every((title) => english.includes(title))).toBe(true);
  await showsKeptContent(page, 'Information may not be up to date');
  expect(await page.locator('[data-testid="stale-age"]').textContent()).toContain('As of');
  const afterReset = kiosk.server.status().api;
  expect(afterReset.offlineCache.staleServes).toBeGreaterThanOrEqual(2);
  expect(afterReset.offlineCache.corrupt).toBe(0);

  // The visitor chooses Spanish: its kept copy, marked in Spanish.
  await chooseLanguage(page, 'Español', 'es');
  await expect.poll(async () => allIn(await eventTitles(page), spanish)).toBe(true);
  await showsKeptContent(page, 'Es posible que la información no esté actualizada');

  // The hub goes too; a plain reload still finds the content.
  await hub.close();
  await page.reload();
  expect((await eventTitles(page)).every((title) => english.includes(title))).toBe(true);
  await showsKeptContent(page, 'Information may not be up to date');
  // What the public saw never named the failure.
  const text = await page.locator('body').innerText();
  for (const code of ['502', 'ECONNREFUSED', 'upstream']) expect(text).not.toContain(code);
}, 90_000);
