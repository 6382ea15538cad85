// Announcements from the Django admin on the real kiosk: an admin in a real browser
// publishes an urgent announcement for the kiosk's group; the kiosk (the full product in
// Chromium, on daphne serving the example project) shows it over its uplink, with no way
// for a visitor to close it, keeps it after a reload (the content API's list), and drops
// it when the admin withdraws it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchAdminBrowser, logInToAdmin, prepareDjango, type Daphne, type DjangoProject } from '../support/django.ts';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';

const TEXT = 'Fire drill at 11:00: please leave by the main entrance';
const URGENT = '[data-testid="announcement"][data-level="urgent"]';


describe('Django admin → announcements on the kiosk', () => {
  let project: DjangoProject;
  let daphne: Daphne;
  let lobby: E2eKiosk;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    project = await prepareDjango();
    const token = await project.enroll('lobby-1', ['lobby']);
    daphne = await project.startDaphne();
    [lobby, browser] = await Promise.all([
      startE2eKiosk({
        upstream: { wsUrl: daphne.wsUrl, apiUrl: daphne.apiUrl, token: `Token ${token}` },
        overrides: { kioskId: 'lobby-1', groups: ['lobby'] },
      }),
      launchAdminBrowser(),
    ]);
    admin = await browser.newPage();
    await Promise.all([lobby.page().waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout: 20_000 }), logInToAdmin(admin, daphne, '/admin/kiosk_fleet/announcement/')]);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await lobby?.close();
    await daphne?.stop();
  });

  it('an urgent announcement for the kiosk\'s group shows at once, cannot be dismissed, and stays after a reload', async () => {
    const kiosk = lobby.page();
    expect(await kiosk.locator('[data-testid="announcement"]').count()).toBe(0);

    await admin.goto(`${daphne.url}/admin/kiosk_fleet/announcement/add/`);
    await admin.fill('#id_text_en', TEXT);
    await admin.fill('#id_text_es', 'Simulacro de incendio a las 11:00');
    await admin.check('input[name="level"][value="urgent"]');
    await admin.check('input[name="target_kind"][value="groups"]');
    await admin.fill('#id_target_names', 'lobby');
    await Promise.all([admin.waitForURL(/\/admin\/kiosk_fleet\/announcement\/$/), admin.click('input[name="_save"]')]);
    await admin.getByText('showing').first().waitFor();

    const shown = kiosk.locator(URGENT);
    await shown.waitFor({ timeout: 10_000 });
    expect(await shown.innerText()).toContain(TEXT);
    expect(await shown.getAttribute('role')).toBe('alert');
    expect(await shown.locator('button').count()).toBe(0); // visitors cannot close it

    // On load, from the events answer: the API's list is the source of truth.
    await kiosk.reload();
    await kiosk.locator(URGENT, { hasText: TEXT }).waitFor({ timeout: 20_000 });
  });

  it('withdrawing it, confirmed, takes it off the screen', async () => {
    const kiosk = lobby.page();
    await admin.goto(`${daphne.url}/admin/kiosk_fleet/announcement/`);
    await admin.locator('tr', { hasText: TEXT }).locator('input[name="_selected_action"]').check();
    await admin.selectOption('select[name="action"]', 'withdraw_selected');
    await admin.click('button[name="index"]');
    await admin.getByRole('button', { name: 'Yes, withdraw 1 announcement' }).waitFor();
    expect(await kiosk.locator(URGENT).count()).toBe(1); // nothing happens before the confirmation
    await Promise.all([admin.waitForURL(/\/admin\/kiosk_fleet\/announcement\/$/), admin.getByRole('button', { name: 'Yes, withdraw 1 announcement' }).click()]);
    await kiosk.locator(URGENT).waitFor({ state: 'detached', timeout: 10_000 });
    await admin.getByText('withdrawn').first().waitFor();
  });
});
