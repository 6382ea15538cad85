// The real kiosk against the fleet backend: daphne serving the example project, our kiosks
// (the full product in Chromium, and one without a window) connected to it, and an admin
// in a real browser pressing "Reset all kiosks" and asking for a screenshot. The Django
// tests that run the kiosk's own code; the backend's other tests use simulated kiosks
// (test/support/sim-kiosk.ts).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/load.ts';
import type { RuntimeConfig } from '../../core/config/schema.ts';
import { createLogger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { HeadlessShell } from '../../kiosk/headless-shell.ts';
import { Kiosk } from '../../kiosk/kiosk.ts';
import { startKioskServer, type KioskServer } from '../../server/kiosk-server.ts';
import { launchAdminBrowser, logInToAdmin, prepareDjango, type Daphne, type DjangoProject } from '../support/django.ts';
import { startE2eKiosk, type E2eKiosk } from '../support/e2e.ts';
import { FIXTURE_RENDERER, LogCapture, serverHooks } from '../support/kiosk.ts';
import { SimulatedPage } from '../support/page-sim.ts';
import { waitFor } from '../support/wait.ts';

/** One of our kiosks (server, uplink, kiosk side) with a simulated page, on a Django upstream. */
interface FleetKiosk {
  server: KioskServer;
  kiosk: Kiosk;
  page: SimulatedPage;
  close(): Promise<void>;
}

async function startFleetKiosk(daphne: Daphne, id: string, token: string, groups: string[] = []): Promise<FleetKiosk> {
  const log = new LogCapture();
  const header = `Token ${token}`;
  const logger = createLogger({ destination: log, secrets: new Secrets([header]) });
  const { config } = loadConfig({
    env: {},
    cli: {
      kioskId: id,
      groups,
      upstream: {
        ws: { url: daphne.wsUrl, token: header, reconnectBaseMs: 100, reconnectCapMs: 500 },
        api: { url: daphne.apiUrl, token: header },
      },
      reset: { minIntervalSeconds: 0 },
    },
  });
  if (config.upstream === undefined) throw new Error('unreachable');
  const runtimeConfig: RuntimeConfig = { ...config, upstream: config.upstream };
  const server = await startKioskServer({ ...serverHooks(runtimeConfig, '0.0.0-fleet'), config: runtimeConfig, version: '0.0.0-fleet', logger, rendererDir: FIXTURE_RENDERER });
  const kiosk = new Kiosk({ relay: server.relay, shell: new HeadlessShell(server.relay.pages), config: runtimeConfig, version: '0.0.0-fleet', logger, stateDir: undefined });
  kiosk.start();
  const page = new SimulatedPage(server);
  await page.load();
  return {
    server,
    kiosk,
    page,
    async close() {
      kiosk.stop();
      page.close();
      await server.close();
    },
  };
}


describe('Django admin → today\'s kiosks', () => {
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
    lobby = await startE2eKiosk({
      upstream: { wsUrl: daphne.wsUrl, apiUrl: daphne.apiUrl, token: `Token ${lobbyToken}` },
      overrides: { kioskId: 'lobby-1', groups: ['lobby'], reset: { minIntervalSeconds: 0 } },
    });
    floor2 = await startFleetKiosk(daphne, 'floor2-1', floorToken, ['floor-2']);
    browser = await launchAdminBrowser();
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

  it('"Reset all kiosks", confirmed, reloads every kiosk, and the admin shows the acknowledgements', async () => {
    const page = await browser.newPage();
    await logInToAdmin(page, daphne);
    const kioskPage = lobby.page();
    let loads = 0;
    kioskPage.on('load', () => loads++);
    const floorLoads = floor2.page.loads;

    await page.getByRole('button', { name: 'Reset all kiosks' }).click();
    await page.getByText('2 kiosks').first().waitFor();
    expect(loads).toBe(0); // nothing is sent before the confirmation
    await Promise.all([page.waitForURL(/\/admin\/kiosk_fleet\/command\/.+\/change\/$/), page.getByRole('button', { name: 'Yes, reset 2 kiosks' }).click()]);
    await waitFor(() => loads === 1 && floor2.page.loads === floorLoads + 1, { timeoutMs: 20_000, what: 'both kiosks to reload' });
    await kioskPage.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout: 20_000 });
    await page.waitForFunction(() => document.body.innerText.includes('2 of 2 reloaded'), undefined, { timeout: 30_000 });
    await page.close();
  });

  it('a screenshot from the admin: the real kiosk\'s screen on the command page and as the list\'s thumbnail', async () => {
    const page = await browser.newPage();
    await logInToAdmin(page, daphne);
    await page.locator('tr', { hasText: 'lobby-1' }).locator('input[name="_selected_action"]').check();
    await page.selectOption('select[name="action"]', 'screenshot_selected');
    await page.click('button[name="index"]');
    await Promise.all([page.waitForURL(/\/command\/c-.+\/change\/$/), page.getByRole('button', { name: 'Yes, send screenshot to 1 kiosk' }).click()]);
    const image = page.locator('img.kiosk-fleet-shot');
    await image.waitFor({ timeout: 30_000 });
    // The kiosk's window is 1920 wide; the default maxWidth is 1280.
    await waitFor(async () => (await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)) === 1280, { timeoutMs: 15_000, what: 'the screenshot to load' });
    await page.goto(`${daphne.url}/admin/kiosk_fleet/kiosk/`);
    const thumb = page.locator('tr', { hasText: 'lobby-1' }).locator('img.kiosk-fleet-thumb');
    await thumb.waitFor();
    expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1280);
    await page.close();
  });
});
