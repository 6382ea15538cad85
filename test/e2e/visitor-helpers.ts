// Shared by the visitor-*.test.ts files: driving the City Hall UI as a visitor does (by
// its visible controls), axe-core injected into the page, and a QR code decoded from the
// pixels on screen.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type jsQRType from 'jsqr';
import type { Locator, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
// A CommonJS package: its default export is the module itself.
const jsQR = require('jsqr') as typeof jsQRType.default;

export const LANGUAGES = [
  { code: 'en', name: 'English', welcome: 'Welcome to City Hall' },
  { code: 'es', name: 'Español', welcome: 'Bienvenidos al Ayuntamiento' },
  { code: 'zh-Hant', name: '中文', welcome: '歡迎來到市政廳' },
  { code: 'fil', name: 'Filipino', welcome: 'Maligayang pagdating sa City Hall' },
] as const;

export const ORIENTATIONS = [
  { label: 'landscape', width: 1920, height: 1080 },
  { label: 'portrait', width: 1080, height: 1920 },
] as const;

export async function screenIs(page: Page, screen: string): Promise<void> {
  await page.waitForSelector(`#root[data-screen="${screen}"]`, { timeout: 15_000 });
}

/** Back to a fresh home screen in English (the session wiped as the idle timeout would). */
export async function freshHome(page: Page): Promise<void> {
  await page.reload();
  await screenIs(page, 'home');
  await page.waitForSelector('[data-testid="event"]');
}

export async function chooseLanguage(page: Page, name: string, code: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).click();
  await page.waitForFunction((lang) => document.documentElement.lang === lang, code);
}

export async function goTo(page: Page, route: 'home' | 'events' | 'offices' | 'search'): Promise<void> {
  const onHome = (await page.getAttribute('#root', 'data-screen')) === 'home';
  await page.locator(onHome ? `.tile[data-route="${route}"]` : `.bottom-nav__item[data-route="${route}"]`).click();
  await screenIs(page, route);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** WCAG 2.0–2.2 A and AA rules (and the experimental label-in-name rule the review ran); serious and critical only. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // evaluate() runs through the debugger protocol: the page's CSP (no inline script) does not apply.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      rules: { 'label-content-name-mismatch': { enabled: true } },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The text a QR code on screen carries, decoded from a screenshot of it (what a phone would see). */
export async function decodeQr(page: Page, qr: Locator): Promise<string | null> {
  const png = await qr.screenshot();
  const { width, height, data } = await page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2d context');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    return { width: pixels.width, height: pixels.height, data: Array.from(pixels.data) };
  }, png.toString('base64'));
  return jsQR(Uint8ClampedArray.from(data), width, height)?.data ?? null;
}
