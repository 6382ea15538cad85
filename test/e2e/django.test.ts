// The fleet backend through its admin in Chromium: daphne serving the example project,
// simulated kiosks (test/support/sim-kiosk.ts) speaking the brief's protocol, and an admin
// who confirms before anything is sent, then watches the command page count up by polling.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchAdminBrowser, logInToAdmin, prepareDjango, type CommandStatus, type Daphne, type DjangoProject } from '../support/django.ts';
import { SimFleet } from '../support/sim-kiosk.ts';
import { waitFor } from '../support/wait.ts';


/** Waits until the first element matching `selector` shows `text` (exactly, or within its text). */
async function shows(page: Page, selector: string, text: string, exact = false): Promise<void> {
  let last = '';
  try {
    await waitFor(
      async () => {
        last = ((await page.locator(selector).first().textContent({ timeout: 1000 }).catch(() => '')) ?? '').trim();
        return exact ? last === text : last.includes(text);
      },
      { timeoutMs: 20_000, intervalMs: 50, what: `${selector} to show "${text}"` },
    );
  } catch (error) {
    throw new Error(`${String(error)}; it shows "${last}"`, { cause: error });
  }
}

const commandIdOf = (url: string) => /\/command\/([^/]+)\/change\//.exec(url)?.[1] ?? '';

describe('Django admin → simulated kiosks', () => {
  let project: DjangoProject;
  let daphne: Daphne;
  let fleet: SimFleet;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    project = await prepareDjango();
    const enrolled = await project.enrollFleet(6, 'hall', (i) => (i < 2 ? ['lobby'] : ['floor-2']));
    daphne = await project.startDaphne();
    // The floor-2 kiosks take a moment to answer, so the page has something to count up.
    fleet = new SimFleet(enrolled.map((k, i) => ({ id: k.id, token: k.token, groups: k.groups, urls: [daphne.wsUrl], answerDelayMs: 1200 * i })));
    await fleet.start();
    await waitFor(() => fleet.open.length === 6, { timeoutMs: 20_000, what: 'kiosks connected' });
    browser = await launchAdminBrowser();
    page = await browser.newPage();
    await logInToAdmin(page, daphne);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
    await daphne?.stop();
  });

  it('"Reset all kiosks" asks first, then the command page counts up by polling and stops when all answered', async () => {
    await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/`);
    await shows(page, '#kiosk-fleet-online', '6 of 6 online', true);
    await page.getByPlaceholder('Reason (optional)').fill('new signage');
    await page.getByRole('button', { name: 'Reset all kiosks' }).click();
    await shows(page, '#kiosk-fleet-confirm-summary', '6 kiosks');
    await shows(page, '#kiosk-fleet-confirm-summary', '6 online now');
    expect(fleet.kiosks.every((k) => k.received.length === 0)).toBe(true); // nothing sent yet

    const polls: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/progress/')) polls.push(request.url());
    });
    let navigations = 0;
    await Promise.all([page.waitForURL(/\/admin\/kiosk_fleet\/command\/.+\/change\/$/), page.getByRole('button', { name: 'Yes, reset 6 kiosks' }).click()]);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    const id = commandIdOf(page.url());
    expect(id).toMatch(/^r-/);
    // Counting up, on the same page: the summary changes while answers arrive.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        seen.add((await page.locator('#kiosk-fleet-summary').textContent()) ?? '');
        return seen.has('6 of 6 reloaded');
      },
      { timeoutMs: 30_000, intervalMs: 50, what: '6 of 6 reloaded' },
    );
    expect([...seen].filter((s) => /^\d of 6 reloaded$/.test(s)).length).toBeGreaterThan(2);
    await shows(page, '#count-reloaded', '6', true);
    await shows(page, '#kiosk-fleet-live', 'final');
    expect(navigations).toBe(0); // no meta refresh, no reload
    const pollsWhenFinal = polls.length;
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(polls.length).toBe(pollsWhenFinal); // it stopped polling
    expect(await page.locator('#kiosk-fleet-rows tbody tr').count()).toBe(6);
    // Each row was updated in place too: they were "pending"/"sent" when the page was rendered.
    expect(await page.locator('#kiosk-fleet-rows tbody td.kiosk-fleet-state-reloaded').count()).toBe(6);
    for (const k of fleet.kiosks) expect(k.framesFor(id)[0]?.frame).toEqual({ type: 'kiosk.reset', id, target: { kiosks: [k.id] }, reason: 'new signage' });
  });

  it('a screenshot of the selection: confirmed, shown on the command page and as the thumbnail in the list', async () => {
    await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/`);
    await page.locator('tr', { hasText: 'hall-0001' }).locator('input[name="_selected_action"]').check();
    await page.selectOption('select[name="action"]', 'screenshot_selected');
    await page.click('button[name="index"]');
    await shows(page, '#kiosk-fleet-confirm-summary', '1 kiosk');
    await Promise.all([page.waitForURL(/\/command\/c-.+\/change\/$/), page.getByRole('button', { name: 'Yes, send screenshot to 1 kiosk' }).click()]);
    const image = page.locator('img.kiosk-fleet-shot');
    await image.waitFor({ timeout: 20_000 });
    await waitFor(async () => (await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)) === 64, { timeoutMs: 10_000, what: 'the screenshot to load' });
    await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/`);
    const thumb = page.locator('tr', { hasText: 'hall-0001' }).locator('img.kiosk-fleet-thumb');
    await thumb.waitFor();
    expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  });

  it('a command to a group from the send form, and "Reset this kiosk" from a kiosk\'s page', async () => {
    await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/send/`);
    await page.selectOption('select[name="command"]', 'display');
    await page.check('input[name="target"][value="groups"]');
    await page.check('input[name="groups"][value="lobby"]');
    await page.selectOption('select[name="power"]', 'off');
    await page.getByRole('button', { name: 'Next: confirm' }).click();
    await shows(page, '#kiosk-fleet-confirm-summary', '2 kiosks');
    await Promise.all([page.waitForURL(/\/command\/c-.+\/change\/$/), page.getByRole('button', { name: 'Yes, send display to 2 kiosks' }).click()]);
    await shows(page, '#kiosk-fleet-summary', '2 of 2 done', true);
    const display = await project.manageJson<CommandStatus>('kiosk_command_status', commandIdOf(page.url()));
    expect(Object.keys(display.kiosks).sort()).toEqual(['hall-0000', 'hall-0001']);
    expect(fleet.byId('hall-0000').framesFor(display.id)[0]?.frame).toMatchObject({ type: 'kiosk.command', command: 'display', args: { power: 'off' }, target: { kiosks: ['hall-0000'] } });

    await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/`);
    await page.getByRole('link', { name: 'hall-0004' }).click();
    await shows(page, '#kiosk-fleet-online-state', 'online');
    await page.getByRole('link', { name: 'Reset this kiosk' }).click();
    await shows(page, '#kiosk-fleet-confirm-summary', '1 kiosk');
    await Promise.all([page.waitForURL(/\/command\/r-.+\/change\/$/), page.getByRole('button', { name: 'Yes, reset 1 kiosk' }).click()]);
    const resetId = commandIdOf(page.url());
    await shows(page, '#kiosk-fleet-summary', '1 of 1 reloaded', true);
    await page.getByRole('link', { name: 'hall-0004' }).click();
    await shows(page, '#kiosk-fleet-recent tbody tr', resetId);
    await shows(page, '#kiosk-fleet-recent tbody tr', 'reloaded');
  });
});

describe('enrolment from an imaging script', () => {
  it('enrols kiosks run in parallel against one SQLite file, each with its own token', async () => {
    const project = await prepareDjango();
    const ids = Array.from({ length: 10 }, (_, i) => `image-${i}`);
    const tokens = await Promise.all(ids.map((id) => project.enroll(id, ['hall'])));
    expect(new Set(tokens).size).toBe(ids.length);
    expect(tokens.every((t) => /^kfk_[\w-]{43}$/.test(t))).toBe(true);
    const count = await project.manage('shell', '-c', `from kiosk_fleet.models import Kiosk; print(Kiosk.objects.filter(kiosk_id__startswith='image-').count())`);
    expect(count.trim()).toBe(String(ids.length));
    // --rotate run at once for one new kiosk: every run succeeds, and there is one kiosk.
    const rotated = await Promise.all(Array.from({ length: 6 }, () => project.manage('kiosk_enroll', 'image-rotated', '--rotate')));
    expect(rotated.every((out) => /^kfk_\S{20,}$/.test(out.trim().split('\n').at(-1) ?? ''))).toBe(true);
    const one = await project.manage('shell', '-c', `from kiosk_fleet.models import Kiosk; print(Kiosk.objects.filter(kiosk_id='image-rotated').count())`);
    expect(one.trim()).toBe('1');
  }, 120_000);
});
