// The City Hall UI as a visitor uses it, in Debian's Chromium on the demo upstream: the
// language switch (text, content and <html lang> together, back to English after idle),
// search by task in two languages, a detail with its full text and a QR code that decodes
// to the office's link, announcements, content that is not current, and hostile content.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEvents, demoOfficeUrl } from '../../kiosk/demo/content.ts';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { chooseLanguage, decodeQr, freshHome, goTo, screenIs } from './visitor-helpers.ts';

const IDLE_SECONDS = 16;
let kiosk: E2eKiosk;
let page: Page;

beforeAll(async () => {
  kiosk = await startE2eKiosk({ overrides: { idle: { returnHomeSeconds: IDLE_SECONDS } } });
  page = kiosk.page();
  await screenIs(page, 'home');
}, 60_000);

afterAll(async () => {
  await kiosk?.close();
});

async function typeOnScreen(text: string): Promise<void> {
  for (const letter of text) await page.locator(`.key[data-key="${letter === ' ' ? 'space' : letter}"]`).click();
}

describe('languages', () => {
  it('switches the text, the content and <html lang> at once, and goes back to English after idle', async () => {
    await freshHome(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Welcome to City Hall');
    await chooseLanguage(page, 'Español', 'es');
    expect(await page.locator('h1').textContent()).toBe('Bienvenidos al Ayuntamiento');
    // The content is Spanish in the same render: every event shown (which ones depends on
    // the time of day) carries the demo's Spanish title, not the English one.
    const spanish = new Set(demoEvents(new Date(), 'es').map((event) => event.title));
    const english = new Set(demoEvents(new Date(), 'en').map((event) => event.title));
    await expect
      .poll(async () => {
        const shown = await page.locator('[data-testid="event"] .event__title').allTextContents();
        return shown.length > 0 && shown.every((title) => spanish.has(title) && !english.has(title));
      })
      .toBe(true);
    await goTo(page, 'offices');
    expect(await page.locator('[data-testid="office"] .office__name').allTextContents()).toContain('Secretario del Condado');
    expect(await page.locator('.bottom-nav').textContent()).toContain('Inicio');

    await chooseLanguageFromHome('中文', 'zh-Hant');
    expect(await page.locator('h1').textContent()).toBe('歡迎來到市政廳');

    // Nobody touches it: "Still there?" first, then home in English, the session wiped.
    await goTo(page, 'search');
    await typeOnScreen('vote');
    const prompt = page.locator('[data-testid="idle-prompt"]');
    await prompt.waitFor({ timeout: IDLE_SECONDS * 1000 });
    expect(await prompt.getAttribute('role')).toBe('alertdialog');
    await screenIs(page, 'home');
    await page.waitForFunction(() => document.documentElement.lang === 'en', undefined, { timeout: IDLE_SECONDS * 1000 });
    expect(await page.locator('h1').textContent()).toBe('Welcome to City Hall');
    expect(await prompt.count()).toBe(0);
    await goTo(page, 'search');
    expect(await page.inputValue('#search-query')).toBe('');
  }, 60_000);

  it('"I\'m still here" keeps the visitor where they are', async () => {
    await freshHome(page);
    await goTo(page, 'events');
    const prompt = page.locator('[data-testid="idle-prompt"]');
    await prompt.waitFor({ timeout: IDLE_SECONDS * 1000 });
    await prompt.getByRole('button', { name: 'I’m still here' }).click();
    expect(await prompt.count()).toBe(0);
    await page.waitForTimeout(1_000);
    expect(await page.getAttribute('#root', 'data-screen')).toBe('events');
  }, 40_000);
});

async function chooseLanguageFromHome(name: string, code: string): Promise<void> {
  await page.locator('.bottom-nav__item[data-route="home"]').click();
  await screenIs(page, 'home');
  await chooseLanguage(page, name, code);
}

describe('search', () => {
  it('finds the County Clerk from "marriage" in English', async () => {
    await freshHome(page);
    await goTo(page, 'search');
    await typeOnScreen('marriage');
    const first = page.locator('[data-testid="search-results"] [data-testid="office"]').first();
    expect(await first.getAttribute('data-id')).toBe('1');
    expect((await first.locator('.office__name').textContent())?.trim()).toBe('County Clerk');
    // The result count is spoken once typing pauses, not at every key.
    await expect.poll(() => page.locator('[data-testid="search-results"] [role="status"]').textContent()).toMatch(/\d+ results?/);
  });

  it('finds it from "matrimonio" in Spanish, and from a real keyboard too', async () => {
    await freshHome(page);
    await chooseLanguage(page, 'Español', 'es');
    await goTo(page, 'search');
    await typeOnScreen('matrimonio');
    const first = page.locator('[data-testid="search-results"] [data-testid="office"]').first();
    expect(await first.getAttribute('data-id')).toBe('1');
    expect((await first.locator('.office__name').textContent())?.trim()).toBe('Secretario del Condado');
    await page.locator('.key[data-key="clear"]').click();
    await page.locator('#search-query').focus();
    await page.keyboard.type('impuesto predial');
    expect(await page.locator('[data-testid="search-results"] [data-testid="office"]').first().locator('.office__name').textContent()).toContain('Tesorería');
  });

  it('lists the services A–Z, each leading to its office', async () => {
    await freshHome(page);
    await goTo(page, 'search');
    const services = page.locator('[data-testid="services-az"] .service');
    expect(await services.count()).toBeGreaterThan(10);
    const names = await page.locator('[data-testid="services-az"] .service__name').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    await page.locator('[data-testid="services-az"] .service', { hasText: 'Marriage licences' }).click();
    await screenIs(page, 'detail');
    expect(await page.locator('h1').textContent()).toBe('County Clerk');
  });
});

describe('details', () => {
  it('shows an event\'s full text, unclamped, and Escape goes back', async () => {
    await freshHome(page);
    // The demo's events sit at times of day around today, so today's are gone by evening:
    // take the longest text among those a day or more ahead, listed at any hour.
    const later = demoEvents().filter((event) => Date.parse(event.starts_at) > Date.now() + 24 * 60 * 60_000);
    const longest = later.reduce((a, b) => (b.description.length > a.description.length ? b : a));
    expect(longest.description.length).toBeGreaterThan(200);
    expect(longest.description).toMatch(/\d{4} 000 \d{4} ##/);
    await goTo(page, 'events');
    await page.locator('[data-testid="event"]', { hasText: longest.title }).locator('.card__open').click();
    await screenIs(page, 'detail');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    const description = page.locator('[data-testid="detail-description"]');
    expect(await description.textContent()).toBe(longest.description);
    const clipped = await description.evaluate((el) => el.scrollHeight > el.clientHeight + 1 || getComputedStyle(el).webkitLineClamp !== 'none');
    expect(clipped).toBe(false);
    await page.keyboard.press('Escape');
    await screenIs(page, 'events');
  });

  it('shows where an office is, with a floor plan and a QR code that decodes to its link', async () => {
    await freshHome(page);
    await goTo(page, 'offices');
    await page.locator('[data-testid="office"][data-id="1"] .card__open').click();
    await screenIs(page, 'detail');
    expect(await page.locator('.detail__value').first().textContent()).toBe('Floor 1 · Room 168');
    expect(await page.locator('[data-testid="floor-plan"]').getAttribute('aria-label')).toBe('Floor plan: County Clerk is highlighted');
    expect(await decodeQr(page, page.locator('[data-testid="qr"]'))).toBe(demoOfficeUrl('county-clerk'));
  });

  it('without a link, the QR code carries the details as text, in the visitor\'s language', async () => {
    await freshHome(page);
    await chooseLanguage(page, '中文', 'zh-Hant');
    await goTo(page, 'events');
    await page.locator('[data-testid="event"]').first().locator('.card__open').click();
    await screenIs(page, 'detail');
    const title = (await page.locator('h1').textContent()) ?? '';
    const decoded = await decodeQr(page, page.locator('[data-testid="qr"]'));
    expect(decoded?.split('\n')[0]).toBe(title);
    expect(title).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('announcements', () => {
  it('shows an urgent one on every screen, not dismissable, until it is withdrawn', async () => {
    await freshHome(page);
    kiosk.demo?.publish({ type: 'announcement', id: 'fire-1', level: 'urgent', text: { en: 'Fire alarm: leave by the nearest exit.', es: 'Alarma de incendio: salga por la salida más cercana.' } });
    const urgent = page.locator('[data-testid="announcement"][data-id="fire-1"]');
    await urgent.waitFor();
    expect(await urgent.getAttribute('role')).toBe('alert');
    expect(await urgent.getByRole('button').count()).toBe(0);
    for (const route of ['events', 'offices', 'search'] as const) {
      await goTo(page, route);
      expect(await urgent.isVisible()).toBe(true);
    }
    await chooseLanguageFromHome('Español', 'es');
    expect(await urgent.textContent()).toContain('Alarma de incendio');
    kiosk.demo?.publish({ type: 'announcement.withdrawn', id: 'fire-1' });
    await urgent.waitFor({ state: 'detached' });
  });

  it('lets a visitor close an info one, ends one at its endsAt, and brings closed ones back for the next visitor', async () => {
    await freshHome(page);
    kiosk.demo?.publish({ type: 'announcement', id: 'door', level: 'info', text: 'The Polk Street entrance is closed today.' });
    kiosk.demo?.publish({ type: 'announcement', id: 'soon-over', level: 'info', text: 'Short notice.', endsAt: new Date(Date.now() + 2_500).toISOString() });
    const door = page.locator('[data-testid="announcement"][data-id="door"]');
    await door.waitFor();
    await page.locator('[data-testid="announcement"][data-id="soon-over"]').waitFor();
    await page.locator('[data-testid="announcement"][data-id="soon-over"]').waitFor({ state: 'detached', timeout: 5_000 });
    await door.getByRole('button', { name: 'Dismiss' }).click();
    expect(await door.count()).toBe(0);
    await freshHome(page); // a reload: the API knows nothing of it, so it is gone with the page
    kiosk.demo?.publish({ type: 'announcement.withdrawn', id: 'door' });
  });
});

describe('content that is not current, and content that is hostile', () => {
  it('marks a kept copy from the relay as not current, with its age, in the visitor\'s language', async () => {
    const keptAt = new Date(Date.now() - 42 * 60_000).toISOString();
    await page.route('**/api/**', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'x-kiosk-stale-since': keptAt } });
    });
    try {
      await freshHome(page);
      const status = page.locator('[data-testid="connection"]');
      await expect.poll(() => status.getAttribute('data-current')).toBe('false');
      expect(await page.locator('[data-testid="updating-paused"]').textContent()).toBe('Information may not be up to date');
      expect(await page.locator('[data-testid="stale-age"]').textContent()).toContain('42 minutes ago');
      await chooseLanguage(page, 'Español', 'es');
      expect(await page.locator('[data-testid="updating-paused"]').textContent()).toBe('Es posible que la información no esté actualizada');
    } finally {
      await page.unroute('**/api/**');
    }
    await freshHome(page);
    await expect.poll(() => page.getAttribute('[data-testid="connection"]', 'data-current')).toBe('true');
    expect(await page.locator('[data-testid="updating-paused"]').count()).toBe(0);
  });

  it('tells the public no error codes when there is nothing to show, and where the desk is', async () => {
    await freshHome(page); // the desk's place is learnt from the content
    await page.route('**/api/**', (route) => route.fulfill({ status: 502, contentType: 'application/json', body: '{"error":"upstream-unreachable","code":"ECONNREFUSED"}' }));
    try {
      await page.reload();
      await page.waitForSelector('[data-testid="offline"][data-reason="api"]');
      const text = await page.locator('main').innerText();
      for (const code of ['502', 'ECONNREFUSED', 'upstream', '[api]', 'HTTP']) expect(text).not.toContain(code);
      expect(await page.locator('[data-testid="desk-help"]').textContent()).toBe('If this message stays for more than a few minutes, please let the information desk (Floor 1 · Rotunda) know.');
      // The countdown is on screen but in no live region: it would chatter every second.
      expect(await page.locator('.notice__retry').evaluate((el) => el.closest('[aria-live],[role="status"],[role="alert"]'))).toBeNull();
    } finally {
      await page.unroute('**/api/**');
    }
  });

  it('renders huge, HTML and right-to-left content as text, inside the layout', async () => {
    const huge = 'Word '.repeat(3_000);
    const offices = [
      { id: 1, name: '<img src=x onerror="window.pwned=1">County Clerk', floor: '1', room: '168', description: huge, services: ['<script>alert(1)</script>'] },
      { id: 2, name: 'مكتب الكاتب — Clerk', floor: '1', room: '170', description: 'שלום \u202Eevil\u202C עולם', keywords: 'x'.repeat(5_000) },
      { id: 3, name: 'Ｘ'.repeat(400), floor: 'Mezzanine', room: '' },
    ];
    await page.route('**/api/offices/**', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(offices) }));
    try {
      await freshHome(page);
      await goTo(page, 'offices');
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('[data-testid="office"][data-id="1"] .office__name').textContent()).toContain('<img src=x');
      const rtl = page.locator('[data-testid="office"][data-id="2"] .card__open');
      expect(await rtl.getAttribute('dir')).toBe('auto');
      expect(await rtl.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      // No card wider than the screen, however long its words.
      const width = page.viewportSize()?.width ?? 0;
      for (const box of await page.locator('[data-testid="office"]').evaluateAll((cards) => cards.map((card) => card.getBoundingClientRect().right))) {
        expect(box).toBeLessThanOrEqual(width);
      }
      await page.locator('[data-testid="office"][data-id="1"] .card__open').click();
      await screenIs(page, 'detail');
      expect((await page.locator('[data-testid="detail-description"]').textContent())?.length).toBe(5_000);
      expect(await page.locator('script').evaluateAll((scripts) => scripts.filter((s) => s.textContent?.includes('alert')).length)).toBe(0);
    } finally {
      await page.unroute('**/api/offices/**');
    }
  });
});
