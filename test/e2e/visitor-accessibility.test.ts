// WCAG 2.2 A/AA as axe-core checks it, on every screen of the City Hall UI, in each
// language and both orientations: no violation of serious or critical impact. And the
// layout at 200 % text: nothing collapses to nothing, nothing covers the bottom bar.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { type AxeViolation, chooseLanguage, freshHome, goTo, LANGUAGES, ORIENTATIONS, screenIs, seriousViolations } from './visitor-helpers.ts';

let kiosk: E2eKiosk;
let page: Page;

beforeAll(async () => {
  kiosk = await startE2eKiosk();
  page = kiosk.page();
  await screenIs(page, 'home');
}, 60_000);

afterAll(async () => {
  await kiosk?.close();
});

type Visit = { name: string; go: () => Promise<void> };

/** Every screen a visitor can reach, each from the one before. */
const VISITS: Visit[] = [
  { name: 'home', go: () => Promise.resolve() },
  { name: 'events', go: () => goTo(page, 'events') },
  {
    name: 'event detail',
    go: async () => {
      await page.locator('[data-testid="event"] .card__open').first().click();
      await screenIs(page, 'detail');
    },
  },
  { name: 'offices', go: () => goTo(page, 'offices') },
  {
    name: 'offices on one floor',
    go: async () => {
      await page.locator('.chip[data-floor="1"]').click();
    },
  },
  {
    name: 'office detail',
    go: async () => {
      await page.locator('[data-testid="office"] .card__open').first().click();
      await screenIs(page, 'detail');
      await page.locator('[data-testid="qr"]').waitFor();
    },
  },
  { name: 'search, services A–Z', go: () => goTo(page, 'search') },
  {
    name: 'search results',
    go: async () => {
      for (const key of 'tax') await page.locator(`.key[data-key="${key}"]`).click();
      await page.locator('[data-testid="search-results"] [data-testid="office"]').first().waitFor();
    },
  },
  {
    name: 'accessibility settings',
    go: async () => {
      await page.locator('[data-testid="accessibility"]').click();
      await page.locator('[data-testid="settings"]').waitFor();
    },
  },
];

function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');
}

describe('the checks themselves', () => {
  it('axe reports a serious violation when there is one, and the layout check an overlap and a collapse', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await freshHome(page);
    await goTo(page, 'events');
    await page.evaluate(() => {
      const bad = document.createElement('button');
      bad.id = 'nameless';
      document.querySelector('main')?.append(bad);
      const cover = document.createElement('div');
      cover.style.cssText = 'position:fixed;left:0;right:0;bottom:0;height:40px;background:red;z-index:9';
      document.body.append(cover);
      const list = document.querySelector<HTMLElement>('main .scroller');
      if (list !== null) list.style.cssText = 'height:0;min-height:0;flex:none;padding:0';
    });
    expect((await seriousViolations(page)).map((v) => v.id)).toContain('button-name');
    const problems = await layoutProblems();
    expect(problems.some((p) => p.includes('covers the bottom bar'))).toBe(true);
    expect(problems.some((p) => p.includes('scroller') && p.includes('×0'))).toBe(true);
    await freshHome(page);
  });
});

describe('axe-core on every screen', () => {
  for (const orientation of ORIENTATIONS) {
    for (const language of LANGUAGES) {
      it(`${orientation.label}, ${language.name}`, async () => {
        await page.setViewportSize({ width: orientation.width, height: orientation.height });
        await freshHome(page);
        if (language.code !== 'en') await chooseLanguage(page, language.name, language.code);
        // An urgent announcement shows on every screen: it is checked on each of them.
        kiosk.demo?.publish({ type: 'announcement', id: 'a11y-urgent', level: 'urgent', text: { en: 'The Polk Street entrance is closed.', es: 'La entrada de la calle Polk está cerrada.' } });
        await page.locator('[data-testid="announcement"]').waitFor();
        const found: string[] = [];
        for (const visit of VISITS) {
          await visit.go();
          const violations = await seriousViolations(page);
          if (violations.length > 0) found.push(`[${visit.name}]\n${describeViolations(violations)}`);
        }
        kiosk.demo?.publish({ type: 'announcement.withdrawn', id: 'a11y-urgent' });
        expect(found.join('\n\n')).toBe('');
      }, 90_000);
    }

    it(`${orientation.label}: high contrast, the largest text, and the offline screen`, async () => {
      await page.setViewportSize({ width: orientation.width, height: orientation.height });
      await freshHome(page);
      await page.locator('[data-testid="accessibility"]').click();
      await page.locator('[data-testid="high-contrast"]').click();
      await page.locator('[data-scale="2"]').click();
      await page.getByRole('button', { name: 'Done' }).click();
      const found: string[] = [];
      for (const visit of VISITS.filter((v) => v.name !== 'accessibility settings')) {
        await visit.go();
        const violations = await seriousViolations(page);
        if (violations.length > 0) found.push(`[high contrast, 200 %: ${visit.name}]\n${describeViolations(violations)}`);
      }
      await page.route('**/api/**', (route) => route.fulfill({ status: 504, contentType: 'application/json', body: '{"error":"upstream-timeout"}' }));
      try {
        await page.reload();
        await page.waitForSelector('[data-testid="offline"]');
        const violations = await seriousViolations(page);
        if (violations.length > 0) found.push(`[offline]\n${describeViolations(violations)}`);
      } finally {
        await page.unroute('**/api/**');
      }
      expect(found.join('\n\n')).toBe('');
    }, 90_000);
  }
});

/** What of the screen collapsed or covers the bottom bar, as a list of findings (empty when it holds). */
async function layoutProblems(): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')}`;
    const shown = (el: Element) => {
      const style = getComputedStyle(el);
      return style.display !== 'none' && style.visibility !== 'hidden' && !el.closest('.visually-hidden');
    };
    const selectors = ['main', 'main h1', 'main h2', 'main h3', 'main button', 'main .scroller', '[data-testid="event"]', '[data-testid="office"]', '.topbar', '.bottom-nav', '.bottom-nav button', '[data-testid="announcement"]'];
    for (const el of document.querySelectorAll(selectors.join(','))) {
      if (!shown(el)) continue;
      const box = el.getBoundingClientRect();
      if (box.width < 1 || box.height < 1) problems.push(`${describe(el)} is ${box.width}×${box.height}`);
    }
    const nav = document.querySelector('.bottom-nav');
    if (nav !== null) {
      const box = nav.getBoundingClientRect();
      // Whatever is drawn on the bottom bar's area must be the bar itself.
      for (let x = box.left + 4; x < box.right; x += Math.max(8, box.width / 24)) {
        for (let y = box.top + 2; y < box.bottom; y += Math.max(6, box.height / 6)) {
          if (y > window.innerHeight || x > window.innerWidth) continue;
          const hit = document.elementFromPoint(x, y);
          if (hit !== null && !nav.contains(hit)) problems.push(`${describe(hit)} covers the bottom bar at ${Math.round(x)},${Math.round(y)}`);
        }
      }
    }
    return problems;
  });
}

describe('200 % text', () => {
  for (const orientation of ORIENTATIONS) {
    it(`${orientation.label}: every screen keeps its parts, and nothing covers the bottom bar`, async () => {
      await page.setViewportSize({ width: orientation.width, height: orientation.height });
      await freshHome(page);
      const base = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
      await page.locator('[data-testid="accessibility"]').click();
      await page.locator('[data-scale="2"]').click();
      await page.locator('[data-testid="settings"]').getByRole('button', { name: 'Done' }).click();
      expect(await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize))).toBeCloseTo(base * 2, 0);
      kiosk.demo?.publish({ type: 'announcement', id: 'big-urgent', level: 'urgent', text: 'Fire drill at 11:00. Please follow the instructions of building staff.' });
      await page.locator('[data-testid="announcement"]').waitFor();
      const found: string[] = [];
      for (const visit of VISITS.filter((v) => v.name !== 'accessibility settings')) {
        await visit.go();
        for (const problem of await layoutProblems()) found.push(`[${visit.name}] ${problem}`);
      }
      kiosk.demo?.publish({ type: 'announcement.withdrawn', id: 'big-urgent' });
      expect(found).toEqual([]);
    }, 90_000);
  }
});
