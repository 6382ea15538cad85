// The Electron shell wired to the real kiosk, relay and upstream: a crashed renderer is
// reloaded, a reset reloads the window and is acknowledged once the reloaded page shows
// content, a screenshot goes upstream before its ack. Only Electron itself is the fake.
import { afterEach, describe, expect, it } from 'vitest';
import { ElectronShell } from '../../electron/electron-shell.ts';
import { Kiosk } from '../../kiosk/kiosk.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { SimulatedPage } from '../support/page-sim.ts';
import { waitFor } from '../support/wait.ts';
import { fake, FakePowerSaveBlocker, FakeSession, type FakeBrowserWindow } from './electron-fake.ts';

let kiosk: TestKiosk;
let shellKiosk: Kiosk;
let page: SimulatedPage;

afterEach(async () => {
  shellKiosk.stop();
  page.close();
  await kiosk.close();
});

async function setUp() {
  kiosk = await startTestKiosk({ screenshot: { privacySeconds: 0 } });
  const shell = new ElectronShell({
    app: fake.app,
    url: `${kiosk.server.origin}/`,
    origin: kiosk.server.origin,
    preload: '/p.cjs',
    dev: false,
    logger: kiosk.logger,
    pages: kiosk.server.relay.pages,
    session: new FakeSession(),
    powerSaveBlocker: new FakePowerSaveBlocker(),
  });
  shellKiosk = new Kiosk({
    relay: kiosk.server.relay,
    shell,
    config: kiosk.config,
    version: 't',
    logger: kiosk.logger,
    stateDir: undefined,
    recovery: { baseDelayMs: 20, capDelayMs: 100 },
  });
  shellKiosk.start();
  await shell.open();
  const window = shell.window as unknown as FakeBrowserWindow;
  // The "page" in the fake window: loading it again is what a reload does.
  page = new SimulatedPage(kiosk.server, { obey: false });
  await page.load();
  window.webContents.reloadIgnoringCache = () => {
    window.webContents.calls.push('reloadIgnoringCache');
    page.reload().catch(() => undefined);
  };
  return window;
}

const acks = () => kiosk.upstreamWs.messagesOfType('kiosk.ack');

describe('Electron shell with the kiosk', () => {
  it('reloads a crashed renderer', async () => {
    const window = await setUp();
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    await waitFor(() => window.webContents.calls.includes('reloadIgnoringCache'));
    expect(shellKiosk.stats.recovery.byKind.crashed).toBe(1);
  });

  it('reloads the window for a reset and acknowledges it', async () => {
    const window = await setUp();
    await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.clients.size === 1);
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.reset', id: 'r-e1', target: 'all' }));
    await kiosk.upstreamWs.waitFor(() => acks().length === 1, 5000, 'ack');
    expect(window.webContents.calls).toEqual(['reloadIgnoringCache']);
    expect(acks()[0]).toMatchObject({ id: 'r-e1', status: 'reloaded' });
  });

  it('captures the window for a screenshot and sends it before "done"', async () => {
    await setUp();
    await kiosk.upstreamWs.waitFor(() => kiosk.upstreamWs.clients.size === 1);
    kiosk.upstreamWs.broadcast(JSON.stringify({ type: 'kiosk.command', id: 'c-e2', command: 'screenshot', target: 'all', args: { maxWidth: 800 } }));
    await kiosk.upstreamWs.waitFor(() => acks().some((a) => a.status === 'done'), 5000, 'done');
    const [shot] = kiosk.upstreamWs.messagesOfType('kiosk.screenshot');
    expect(shot).toMatchObject({ id: 'c-e2', mime: 'image/jpeg', width: 800, height: 450 });
    expect(Buffer.from(String(shot?.data), 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});
