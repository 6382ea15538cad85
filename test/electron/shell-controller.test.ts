// The Electron shell wired to the real kiosk controller, relay and upstream: a crashed
// renderer is reloaded, and a reset reloads the window and is acknowledged once the
// reloaded page shows content. Only Electron itself is the fake.
import { afterEach, describe, expect, it } from 'vitest';
import { ElectronShell } from '../../electron/electron-shell.ts';
import { KioskController } from '../../kiosk/controller.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { SimulatedPage } from '../support/page-sim.ts';
import { fake, type FakeBrowserWindow } from './electron-fake.ts';
import { waitFor } from '../support/wait.ts';

let kiosk: TestKiosk;
let controller: KioskController;
let page: SimulatedPage;

afterEach(async () => {
  controller.stop();
  page.close();
  await kiosk.close();
});

async function setUp() {
  kiosk = await startTestKiosk();
  const shell = new ElectronShell({ app: fake.app, url: `${kiosk.server.origin}/`, preload: '/p.cjs', dev: false, logger: kiosk.logger });
  const window = shell.open() as unknown as FakeBrowserWindow;
  controller = new KioskController({
    relay: kiosk.server.relay,
    shell,
    config: kiosk.config,
    version: 't',
    logger: kiosk.logger,
    stateDir: undefined,
    recovery: { baseDelayMs: 20, capDelayMs: 100 },
  });
  controller.start();
  // The "page" in the fake window: loading it again is what a reload does.
  page = new SimulatedPage(kiosk.server, { reloadOnRequest: false });
  await page.load();
  window.webContents.reloadIgnoringCache = () => {
    window.webContents.calls.push('reloadIgnoringCache');
    page.reload().catch(() => undefined);
  };
  return window;
}

describe('Electron shell with the kiosk controller', () => {
  it('reloads a crashed renderer', async () => {
    const window = await setUp();
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    await waitFor(() => window.webContents.calls.includes('reloadIgnoringCache'));
    expect(controller.stats.recovery.byKind.crashed).toBe(1);
  });

  it('reloads the window for a reset and acknowledges it', async () => {
    const window = await setUp();
    await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.clients.size === 1);
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-e1', target: 'all' }));
    await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.messagesOfType('kiosk.ack').length === 1, 5000, 'ack');
    expect(window.webContents.calls).toEqual(['reloadIgnoringCache']);
    expect(kiosk.upstreamWs.messagesOfType('kiosk.ack')[0]).toMatchObject({ id: 'r-e1', status: 'reloaded' });
  });
});
