// The whole loop with the reference Django backend: daphne serving the example project,
// our kiosks connected to it, and an admin pressing "Reset all kiosks" in a real browser.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../kiosk/chromium-shell.ts';
import { ADMIN, prepareDjango, startFleetKiosk, startRedis, type Daphne, type DjangoProject, type FleetKiosk } from '../support/django.ts';
import { CHROMIUM_FLAGS, startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { waitFor } from '../support/wait.ts';

async function adminBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium() ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...CHROMIUM_FLAGS],
  });
}

async function logIn(page: Page, daphne: Daphne): Promise<void> {
  await page.goto(`${daphne.url}/admin/login/?next=/admin/kiosk_fleet/kiosk/`);
  await page.fill('#id_username', ADMIN.username);
  await page.fill('#id_password', ADMIN.password);
  await Promise.all([page.waitForURL(/\/admin\/kiosk_fleet\/kiosk\/$/), page.click('input[type="submit"]')]);
}

describe('Django admin → kiosks', () => {
  let project: DjangoProject;
  let daphne: Daphne;
  let lobby: E2eKiosk;
  let floor2: FleetKiosk;
  let browser: Browser;

  beforeAll(async () => {
    project = await prepareDjango();
    const lobbyToken = await project.enroll('lobby-1', ['lobby']);
    const floorToken = await project.enroll('floor2-1', ['floor-2']);
    daphne = await project.startDaphne();
    // The lobby kiosk is the full product in Chromium; the floor-2 one runs without a window.
    lobby = await startE2eKiosk({
      upstream: { wsUrl: daphne.wsUrl, apiUrl: daphne.apiUrl, token: `Token ${lobbyToken}` },
      overrides: { kioskId: 'lobby-1', groups: ['lobby'], reset: { minIntervalSeconds: 0 } },
    });
    floor2 = await startFleetKiosk(daphne, 'floor2-1', floorToken, ['floor-2']);
    browser = await adminBrowser();
    await lobby.page().waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout: 20_000 });
    await waitFor(() => lobby.server.relay.upstream.state === 'open' && floor2.server.relay.upstream.state === 'open', { timeoutMs: 15_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lobby?.close();
    await floor2?.close();
    await daphne?.stop();
  });

  it('shows the kiosk the content of the Django API through its /api proxy', async () => {
    const titles = await lobby.page().locator('[data-testid="event"]').count();
    expect(titles).toBeGreaterThan(0);
    expect(lobby.server.status().api.failures).toBe(0);
  });

  it('"Reset all kiosks" reloads every kiosk, and the admin shows the acknowledgements', async () => {
    const page = await browser.newPage();
    await logIn(page, daphne);
    const kioskPage = lobby.page();
    let loads = 0;
    kioskPage.on('load', () => loads++);
    const floorLoads = floor2.page.loads;

    await Promise.all([page.waitForURL(/\/admin\/kiosk_fleet\/resetcommand\/.+\/change\/$/), page.getByRole('button', { name: 'Reset all kiosks' }).click()]);
    await waitFor(() => loads === 1 && floor2.page.loads === floorLoads + 1, { timeoutMs: 20_000, what: 'both kiosks to reload' });
    await kioskPage.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout: 20_000 });
    // The reset page refreshes itself; it ends up counting both acknowledgements.
    await page.waitForFunction(() => document.body.innerText.includes('2 of 2 reloaded'), undefined, { timeout: 30_000 });
    await page.close();
  });

  it('a group reset reaches only that group\'s kiosks', async () => {
    const page = await browser.newPage();
    await logIn(page, daphne);
    await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/reset-group/`);
    const lobbyReloads = lobby.kiosk.stats.commands.reloaded;
    const floorReloads = floor2.kiosk.stats.commands.reloaded;
    await page.check('input[name="groups"][value="floor-2"]');
    await Promise.all([page.waitForURL(/\/resetcommand\/.+\/change\/$/), page.click('input[type="submit"]')]);
    await waitFor(() => floor2.kiosk.stats.commands.reloaded === floorReloads + 1, { timeoutMs: 20_000, what: 'the floor-2 kiosk to reload' });
    await page.waitForFunction(() => document.body.innerText.includes('1 of 1 reloaded'), undefined, { timeout: 30_000 });
    expect(lobby.kiosk.stats.commands.reloaded).toBe(lobbyReloads);
    expect(lobby.kiosk.stats.commands.received).toBe(lobbyReloads);
    await page.close();
  });
});

describe('enrolment from an imaging script', () => {
  it('enrols kiosks run in parallel against one SQLite file, each with its own token', async () => {
    const project = await prepareDjango();
    const ids = Array.from({ length: 10 }, (_, i) => `image-${i}`);
    const tokens = await Promise.all(ids.map((id) => project.enroll(id, ['hall'])));
    expect(new Set(tokens).size).toBe(ids.length);
    const count = await project.manage('shell', '-c', `from kiosk_fleet.models import Kiosk; print(Kiosk.objects.filter(kiosk_id__startswith='image-').count())`);
    expect(count.trim()).toBe(String(ids.length));
    // --rotate run at once for one new kiosk: every run succeeds, and there is one kiosk.
    const rotated = await Promise.all(Array.from({ length: 6 }, () => project.manage('kiosk_enroll', 'image-rotated', '--rotate')));
    expect(rotated.every((out) => /^\S{20,}$/.test(out.trim().split('\n').at(-1) ?? ''))).toBe(true);
    const one = await project.manage('shell', '-c', `from kiosk_fleet.models import Kiosk; print(Kiosk.objects.filter(kiosk_id='image-rotated').count())`);
    expect(one.trim()).toBe('1');
  }, 120_000);
});

describe('two daphne workers sharing a Redis channel layer', () => {
  it('reloads kiosks connected to either worker on one reset', async () => {
    const redis = await startRedis();
    const project = await prepareDjango({ KIOSK_REDIS_URL: redis.url });
    const tokens = await Promise.all(['w1-a', 'w1-b', 'w2-a', 'w2-b'].map((id) => project.enroll(id, ['hall'])));
    const [one, two] = await Promise.all([project.startDaphne(), project.startDaphne()]);
    const kiosks = await Promise.all([
      startFleetKiosk(one, 'w1-a', tokens[0] ?? '', ['hall']),
      startFleetKiosk(one, 'w1-b', tokens[1] ?? '', ['hall']),
      startFleetKiosk(two, 'w2-a', tokens[2] ?? '', ['hall']),
      startFleetKiosk(two, 'w2-b', tokens[3] ?? '', ['hall']),
    ]);
    try {
      await waitFor(() => kiosks.every((k) => k.server.relay.upstream.state === 'open'), { timeoutMs: 15_000, what: 'uplinks' });
      // The management command publishes through Redis, as an admin on a third process would.
      const out = await project.manage('kiosk_reset', '--all', '--reason', 'two workers');
      const resetId = out.trim().split('\n').at(-1) ?? '';
      expect(resetId).toMatch(/^r-/);
      await waitFor(() => kiosks.every((k) => k.kiosk.stats.commands.reloaded === 1), { timeoutMs: 20_000, what: 'every kiosk to reload' });
      expect(kiosks.map((k) => k.page.loads)).toEqual([2, 2, 2, 2]);
      const acknowledged = async () =>
        (await project.manage('shell', '-c', `from kiosk_fleet.models import ResetDelivery as D; print(D.objects.filter(reset_id='${resetId}', state=D.ACKNOWLEDGED).count())`)).trim();
      await waitFor(async () => (await acknowledged()) === '4', { timeoutMs: 15_000, intervalMs: 300, what: 'four acknowledgements recorded' });
    } finally {
      await Promise.all(kiosks.map((k) => k.close()));
      await Promise.all([one.stop(), two.stop()]);
      await redis.stop();
    }
  }, 120_000);
});
