// Looks at the built kiosk UI in a real Chromium against `kiosk-shell serve` on the demo
// upstream, and saves screenshots of every screen at the three target sizes. Not part of
// the unit suite (vitest only picks up *.test.ts); run it after `npx vite build`:
//
//   node test/renderer/screenshots.ts [outDir]      (default /tmp/renderer-shots)
//
// It fails (exit 1) on any console error, CSP violation or page error.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';

const repo = path.resolve(import.meta.dirname, '..', '..');
const outDir = process.argv[2] ?? '/tmp/renderer-shots';
mkdirSync(outDir, { recursive: true });

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const problems: string[] = [];

async function startServer(): Promise<{ url: string; stateDir: string; stop: () => Promise<void> }> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-shots-'));
  const child = spawn(process.execPath, ['kiosk/cli.ts', 'serve'], {
    cwd: repo,
    env: { ...process.env, KIOSK_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server not ready in 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`server exited (${String(code)})`)));
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line) as { event?: string; url?: string };
        if (message.event === 'ready' && typeof message.url === 'string') {
          clearTimeout(timer);
          resolve(message.url);
        }
      } catch {
        // not the ready line
      }
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, stateDir, stop };
}

async function publish(stateDir: string, message: unknown): Promise<void> {
  const { publishUrl, publisherToken } = JSON.parse(readFileSync(path.join(stateDir, 'demo-upstream.json'), 'utf8')) as {
    publishUrl: string;
    publisherToken: string;
  };
  const response = await fetch(publishUrl, { method: 'POST', headers: { authorization: publisherToken, 'content-type': 'application/json' }, body: JSON.stringify(message) });
  if (!response.ok) throw new Error(`publish failed: ${response.status}`);
}

async function openPage(browser: Browser, url: string, width: number, height: number, label: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, hasTouch: true });
  const page = await context.newPage();
  page.on('console', (message) => {
    const text = message.text();
    // Aborted on purpose below (route.abort), and a server header this page does not own.
    if (text.includes('net::ERR_FAILED') || text.includes('Permissions-Policy')) return;
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`[${label}] console ${message.type()}: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`[${label}] page error: ${error.message}`));
  await page.goto(url);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  // Let transitions and the ws hello settle.
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
  console.log(`${name}.png`);
}

const server = await startServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  for (const [label, width, height] of [
    ['landscape', 1920, 1080],
    ['portrait', 1080, 1920],
    ['small', 1280, 800],
  ] as const) {
    const page = await openPage(browser, server.url, width, height, label);
    await page.waitForSelector('#root[data-screen="home"]');
    await page.waitForSelector('[data-testid="connection"][data-state="live"]', { state: 'attached', timeout: 10_000 });
    const address = page.url();
    if (address.includes('key=')) problems.push(`[${label}] the key is still in the address bar: ${address}`);
    await shot(page, `${label}-home`);
    await page.locator('.tile[data-route="events"]').click();
    await page.waitForSelector('#root[data-screen="events"]');
    await shot(page, `${label}-events`);
    await page.locator('[data-testid="event"] .card__open').first().click();
    await page.waitForSelector('#root[data-screen="detail"]');
    await shot(page, `${label}-event-detail`);
    await page.locator('.bottom-nav__item[data-route="offices"]').click();
    await page.waitForSelector('#root[data-screen="offices"]');
    await shot(page, `${label}-offices`);
    await page.locator('[data-testid="office"] .card__open', { hasText: 'County Clerk' }).click();
    await page.waitForSelector('#root[data-screen="detail"]');
    await shot(page, `${label}-office-detail`);
    await page.locator('.bottom-nav__item[data-route="search"]').click();
    await page.waitForSelector('#root[data-screen="search"]');
    await shot(page, `${label}-search`);
    for (const key of 'marriage') await page.locator(`.key[data-key="${key}"]`).click();
    await shot(page, `${label}-search-marriage`);
    // Each language, from home.
    for (const [name, code] of [['Español', 'es'], ['中文', 'zh-Hant'], ['Filipino', 'fil']] as const) {
      await page.locator('.bottom-nav__item[data-route="home"]').click();
      await page.getByRole('button', { name, exact: true }).click();
      await page.waitForFunction((lang) => document.documentElement.lang === lang, code);
      await shot(page, `${label}-home-${code}`);
      await page.locator('.tile[data-route="offices"]').click();
      await shot(page, `${label}-offices-${code}`);
    }
    // The largest text and high contrast.
    await page.locator('[data-testid="accessibility"]').click();
    await shot(page, `${label}-accessibility`);
    await page.locator('[data-scale="2"]').click();
    await page.locator('[data-testid="high-contrast"]').click();
    await page.locator('.modal__primary').click();
    await shot(page, `${label}-offices-200-high-contrast`);
    await page.locator('.bottom-nav__item[data-route="home"]').click();
    await shot(page, `${label}-home-200-high-contrast`);
    await page.reload();
    await page.waitForSelector('#root[data-screen="home"]');
    if (label === 'landscape') {
      await page.locator('.tile[data-route="offices"]').click();
      await page.waitForSelector('#root[data-screen="offices"]');
      await page.locator('.chip[data-floor="1"]').click();
      await shot(page, `${label}-offices-floor-1`);
      await publish(server.stateDir, { type: 'announcement', id: 'door', text: { en: 'The Polk Street entrance is closed today. Please use the Grove Street entrance.', es: 'La entrada de la calle Polk está cerrada hoy. Use la entrada de la calle Grove.' }, level: 'info' });
      await page.waitForSelector('[data-testid="announcement"]');
      await page.locator('.bottom-nav__item[data-route="home"]').click();
      await shot(page, `${label}-home-announcement`);
      await publish(server.stateDir, { type: 'announcement', id: 'drill', text: 'Fire drill at 11:00. Please follow the instructions of building staff.', level: 'urgent' });
      await page.waitForSelector('[data-testid="announcement"][data-level="urgent"]');
      await shot(page, `${label}-home-urgent`);
      // Reload keeps working without the fragment (the key is in sessionStorage).
      await page.reload();
      await page.waitForSelector('#root[data-screen="home"]');
      await page.waitForSelector('[data-testid="connection"][data-state="live"]', { state: 'attached' });
      await page.waitForTimeout(400);
      await page.screenshot({ path: '/tmp/renderer-home.png' });
      // One failed refresh with content on screen: keep it, say updating is paused.
      await page.route('**/api/**', (route) => route.abort());
      await publish(server.stateDir, { type: 'content.updated' });
      await page.waitForSelector('[data-testid="updating-paused"]');
      await shot(page, `${label}-home-updating-paused`);
      await page.unroute('**/api/**');
    }
    await page.context().close();
  }

  // Midday, so that something is under way; then nobody touches the screen for a while.
  {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, hasTouch: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`[midday] page error: ${error.message}`));
    const midday = new Date();
    midday.setHours(12, 30, 0, 0);
    await page.clock.install({ time: midday });
    await page.goto(server.url);
    await page.waitForSelector('#root[data-screen="home"]');
    await shot(page, 'midday-home');
    await page.locator('.tile[data-route="events"]').click();
    await page.waitForSelector('#root[data-screen="events"]');
    await shot(page, 'midday-events');
    await page.clock.fastForward(101_000);
    await page.waitForSelector('[data-testid="idle-prompt"]', { timeout: 5_000 });
    await shot(page, 'midday-still-there');
    await page.clock.fastForward(21_000);
    await page.waitForSelector('#root[data-screen="home"]', { timeout: 5_000 });
    console.log('idle return-to-home: ok');
    await context.close();
  }

  // The offline screen's three reasons, with nothing on screen to fall back to.
  const reasons = [
    ['network', (page: Page) => page.route('**/api/**', (route) => route.abort())],
    ['api', (page: Page) => page.route('**/api/**', (route) => route.fulfill({ status: 504, contentType: 'application/json', body: '{"error":"upstream-timeout","code":"ETIMEDOUT"}' }))],
  ] as const;
  for (const [reason, intercept] of reasons) {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`[offline-${reason}] page error: ${error.message}`));
    await intercept(page);
    await page.goto(server.url);
    await page.waitForSelector(`[data-testid="offline"][data-reason="${reason}"]`);
    await shot(page, `offline-${reason}`);
    await context.close();
  }
  const badKey = server.url.replace(/#key=.*/, '#key=not-the-key');
  const auth = await openPage(browser, badKey, 1920, 1080, 'offline-auth');
  await auth.waitForSelector('[data-testid="offline"][data-reason="auth"]');
  await shot(auth, 'offline-auth');
  problems.splice(0, problems.length, ...problems.filter((p) => !(p.startsWith('[offline-auth]') && /401|WebSocket/.test(p))));
  await auth.context().close();

  const noKey = await openPage(browser, server.url.replace(/#key=.*/, ''), 1920, 1080, 'no-key');
  await noKey.waitForSelector('#root[data-screen="no-key"]');
  await shot(noKey, 'no-key');
  await noKey.context().close();

  // The server goes away under a page that is showing content.
  const page = await openPage(browser, server.url, 1920, 1080, 'server-gone');
  await page.waitForSelector('#root[data-screen="home"]');
  await server.stop();
  await page.waitForSelector('[data-testid="connection"][data-state="offline"]', { state: 'attached' });
  await shot(page, 'server-gone');
  problems.splice(0, problems.length, ...problems.filter((p) => !(p.startsWith('[server-gone]') && /WebSocket|ERR_CONNECTION_REFUSED/.test(p))));
} finally {
  await browser.close();
  await server.stop();
}

// The server was stopped on purpose: the page's reconnect attempts after it are expected.
problems.splice(0, problems.length, ...problems.filter((p) => !(p.startsWith('[server-gone]') && /WebSocket|ERR_CONNECTION_REFUSED/.test(p))));
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exitCode = 1;
}
