// The kiosk end to end in Debian's Chromium, driven by the product's own Chromium shell:
// content through /api, resets that reload the page and are acknowledged upstream, the
// reset policy, crash recovery, an upstream that is down at start, and no token anywhere
// the page can reach.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { demoEvents, demoOffices } from '../../kiosk/demo/content.ts';
import { credentialOf } from '../../core/secret-forms.ts';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { waitFor } from '../support/wait.ts';

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results');

let kiosk: E2eKiosk | undefined;
afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

/** Counts the page's loads from now on (a reload is one more load). */
function countLoads(page: Page): { loads: number } {
  const counter = { loads: 0 };
  page.on('load', () => counter.loads++);
  return counter;
}

async function showsContent(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout });
}

/** The terminal acks for `id` (an `accepted` may come first when a reload takes over a second). */
const acks = (k: E2eKiosk, id: string) =>
  (k.demo?.received ?? []).filter((m) => m.type === 'kiosk.ack' && m.id === id && m.status !== 'accepted');

describe('the kiosk in Chromium', () => {
  it('shows content fetched through /api and takes a screenshot of the home screen', async () => {
    kiosk = await startE2eKiosk();
    const page = kiosk.page();
    await showsContent(page);
    const titles = await page.locator('[data-testid="event"] h3, [data-testid="event"] .event__title').allTextContents();
    const known = new Set(demoEvents().map((e) => e.title));
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.every((t) => known.has(t.trim()))).toBe(true);
    expect(kiosk.server.status().api.requests).toBeGreaterThanOrEqual(2);
    expect(await page.getAttribute('[data-testid="connection"]', 'data-state')).toBe('live');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'kiosk-home.png') });

    await page.getByRole('button', { name: /offices/i }).first().click();
    await page.waitForSelector('#root[data-screen="offices"] [data-testid="office"]');
    expect(await page.locator('[data-testid="office"]').count()).toBe(demoOffices.length);
  });

  it('reloads on a reset and acknowledges it upstream with its id', async () => {
    kiosk = await startE2eKiosk();
    const page = kiosk.page();
    await showsContent(page);
    const counter = countLoads(page);
    kiosk.demo?.publish({ type: 'kiosk.reset', id: 'r-100', target: 'all' });
    await waitFor(() => acks(kiosk!, 'r-100').length === 1, { timeoutMs: 15_000 });
    expect(acks(kiosk, 'r-100')[0]).toMatchObject({ kiosk: 'lobby-1', status: 'reloaded' });
    expect(counter.loads).toBe(1);
    await showsContent(page);
  });

  it('reloads once for the same id twice, and once for 20 resets in one second', async () => {
    kiosk = await startE2eKiosk();
    const page = kiosk.page();
    await showsContent(page);
    const counter = countLoads(page);
    kiosk.demo?.publish({ type: 'kiosk.reset', id: 'r-dup', target: 'all' });
    kiosk.demo?.publish({ type: 'kiosk.reset', id: 'r-dup', target: 'all' });
    for (let i = 0; i < 20; i++) {
      kiosk.demo?.publish({ type: 'kiosk.reset', id: `r-flood-${i}`, target: 'all' });
      await new Promise((resolve) => setTimeout(resolve, 45));
    }
    await waitFor(() => acks(kiosk!, 'r-dup').length === 1 && acks(kiosk!, 'r-flood-19').length === 1, { timeoutMs: 15_000 });
    await showsContent(page);
    expect(counter.loads).toBe(1);
    // The repeat came while the first was still reloading: it is told so, and not run again.
    expect(kiosk.kiosk.stats.commands).toMatchObject({ reloaded: 1, repeats: 1 });
    expect((kiosk.demo?.received ?? []).filter((m) => m.type === 'kiosk.ack' && m.id === 'r-dup' && m.status === 'accepted').length).toBeGreaterThanOrEqual(1);
    expect(acks(kiosk, 'r-flood-0')[0]).toMatchObject({ status: 'ignored' });
  });

  it('does not reload for a reset aimed at another kiosk or group', async () => {
    kiosk = await startE2eKiosk();
    const page = kiosk.page();
    await showsContent(page);
    const counter = countLoads(page);
    kiosk.demo?.publish({ type: 'kiosk.reset', id: 'r-other', target: { kiosks: ['lobby-2'] } });
    kiosk.demo?.publish({ type: 'kiosk.reset', id: 'r-floor', target: { groups: ['floor-2'] } });
    await waitFor(() => acks(kiosk!, 'r-other').length === 1 && acks(kiosk!, 'r-floor').length === 1, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(counter.loads).toBe(0);
    expect(acks(kiosk, 'r-other')[0]).toMatchObject({ status: 'ignored', reason: 'not-targeted' });
  });

  it('aborts a load outside the kiosk origin, and only that one, in the browser\'s own route', async () => {
    kiosk = await startE2eKiosk();
    const page = kiosk.page();
    const blocked = () => kiosk!.log.lines.filter((line) => line.includes('blocked a request outside the kiosk origin'));
    // The kiosk's own loads (the document, its assets, /api) go through untouched.
    await showsContent(page);
    expect(blocked()).toHaveLength(0);
    const outside = await page.goto('http://127.0.0.1:9/elsewhere', { timeout: 10_000 }).catch((error: Error) => error);
    expect(outside).toBeInstanceOf(Error);
    expect((outside as Error).message).toMatch(/ERR_BLOCKED_BY_CLIENT/);
    expect(blocked()).toHaveLength(1);
    expect(blocked()[0]).toContain('http://127.0.0.1:9');
  });

  it('recovers when the page\'s renderer process crashes', async () => {
    kiosk = await startE2eKiosk();
    const crashed = kiosk.page();
    await showsContent(crashed);
    const cdp = await crashed.context().newCDPSession(crashed);
    await cdp.send('Page.crash').catch(() => undefined);
    await waitFor(() => kiosk!.kiosk.stats.recovery.byKind.crashed === 1, { timeoutMs: 10_000 });
    await waitFor(() => kiosk!.shell?.page !== undefined && kiosk!.shell.page !== crashed, { timeoutMs: 10_000 });
    await showsContent(kiosk.page());
  });

  it('shows the offline screen while the upstream is down at start, then content once it is up', async () => {
    kiosk = await startE2eKiosk({ upstreamDown: true });
    const page = kiosk.page();
    await page.waitForSelector('[data-testid="offline"][data-reason="api"]', { timeout: 15_000 });
    expect(await page.getAttribute('[data-testid="connection"]', 'data-state')).not.toBe('live');
    await kiosk.startUpstream();
    await showsContent(page, 30_000);
    // The status shows nothing while all is well: wait for its state, not for something visible.
    await page.waitForSelector('[data-testid="connection"][data-state="live"]', { state: 'attached', timeout: 15_000 });
  });

  it('never lets the token reach the DOM, JS globals, storage or any response the page received', async () => {
    kiosk = await startE2eKiosk();
    const page = kiosk.page();
    await showsContent(page);
    const bodies: string[] = [];
    page.on('response', (response) => {
      void response
        .body()
        .then((body) => bodies.push(JSON.stringify(response.headers()) + body.toString('latin1')))
        .catch(() => undefined);
    });
    // Everything the page receives from here on is recorded: its document, assets, API answers.
    await page.reload();
    await showsContent(page);
    // A message from the upstream that tries to carry the token to the page.
    const token = kiosk.config.upstream.ws.token;
    kiosk.demo?.publish({ type: 'announcement', text: `leak ${token}` });
    kiosk.demo?.publish({ type: 'announcement', text: 'Welcome to City Hall' });
    await page.waitForSelector('[data-testid="announcement"]', { timeout: 10_000 });
    const seen = await page.evaluate(() => {
      const globals: string[] = [];
      for (const name of Object.getOwnPropertyNames(window)) {
        try {
          const value: unknown = (window as unknown as Record<string, unknown>)[name];
          if (typeof value === 'string') globals.push(value);
          else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) globals.push(JSON.stringify(value));
        } catch {
          // some globals throw on access
        }
      }
      const storage = (s: Storage) => Object.keys(s).map((k) => `${k}=${s.getItem(k) ?? ''}`);
      return {
        dom: document.documentElement.outerHTML,
        globals: globals.join('\n'),
        storage: [...storage(localStorage), ...storage(sessionStorage)].join('\n'),
        cookies: document.cookie,
        url: location.href,
      };
    });
    const secret = credentialOf(token);
    expect(bodies.length).toBeGreaterThan(3);
    for (const text of [seen.dom, seen.globals, seen.storage, seen.cookies, seen.url, ...bodies]) {
      expect(text.includes(secret)).toBe(false);
    }
    // The launch key left the address bar as soon as the page read it.
    expect(seen.url).not.toContain('key=');
    expect(kiosk.server.status().relay.down.dropped['contains-secret']).toBe(1);
  });
});

describe('display options', () => {
  it('hides the pointer when display.hideCursor is set, and only then', async () => {
    kiosk = await startE2eKiosk({ overrides: { display: { hideCursor: true } } });
    await showsContent(kiosk.page());
    const cursor = () => kiosk!.page().evaluate(() => getComputedStyle(document.querySelector('button') ?? document.body).cursor);
    expect(await cursor()).toBe('none');
    await kiosk.close();
    kiosk = await startE2eKiosk();
    await showsContent(kiosk.page());
    expect(await cursor()).not.toBe('none');
  });
});
