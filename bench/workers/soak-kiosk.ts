// The kiosk of the kiosk soak, in its own process as an installed kiosk runs it: the same
// runtime and Chromium shell `kiosk-shell run --shell chromium --headless` starts (logging to
// its files, not to memory), on the bench upstream named in argv. Its memory is the
// kiosk's alone: the bench's upstream and loop live in the orchestrator. The IPC handlers
// only do what a visitor does (screen changes, in the page) and read the figures.
//
// argv: <upstream ws url> <upstream api url> <token> <state dir>
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { createLogger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { startRuntime } from '../../kiosk/runtime.ts';
import { attachHeadlessChromium } from '../lib/headless-chromium.ts';
import { serveIpc } from '../lib/ipc.ts';

const CONTENT = '#root[data-screen="home"] [data-testid="event"]';
const MIB = 1024 * 1024;

const [wsUrl, apiUrl, token, stateDir] = process.argv.slice(2);
if (wsUrl === undefined || apiUrl === undefined || token === undefined || stateDir === undefined) throw new Error('usage: soak-kiosk.ts <ws url> <api url> <token> <state dir>');

const secrets = new Secrets();
const logger = createLogger({ secrets, stderr: false });
const runtime = await startRuntime({
  logger,
  secrets,
  shell: 'chromium',
  env: {},
  cli: {
    kioskId: 'bench-soak-1',
    groups: ['lobby'],
    stateDir,
    log: { dir: path.join(stateDir, 'logs') },
    upstream: { ws: { url: wsUrl, token }, api: { url: apiUrl, token } },
    reset: { minIntervalSeconds: 0 },
    idle: { returnHomeSeconds: 0 },
  },
});
const shell = await attachHeadlessChromium(runtime, logger);

function page() {
  const current = shell.page;
  if (current === undefined) throw new Error('the kiosk shows no page');
  return current;
}

serveIpc({
  /** Resolves once the home screen shows content from /api. */
  content: async () => {
    await page().locator(CONTENT).first().waitFor({ timeout: 20_000 });
    return true;
  },
  /** Clicks through `count` screens in the page itself, one frame apart: Events, Offices, home. */
  screens: async (count: number) => {
    await page().evaluate(async (n) => {
      const press = (match: (button: HTMLButtonElement) => boolean) => Array.from(document.querySelectorAll('button')).find(match)?.click();
      const steps = [
        () => press((b) => (b.textContent ?? '').includes('Events')),
        () => press((b) => (b.textContent ?? '').includes('Offices')),
        () => press((b) => (b.getAttribute('aria-label') ?? '').includes('back to the start')),
      ];
      for (let i = 0; i < n; i++) {
        steps[i % steps.length]?.();
        await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
      }
    }, count);
    return true;
  },
  /**
   * What the kiosk retains: after a full GC in the page and here, and Chromium told memory is
   * short (as the system tells it when it is), so that the caches it drops then (freed pages
   * its allocators keep, decoded resources) are not read as growth. The same at every
   * checkpoint, the first one included.
   */
  checkpoint: async () => {
    const cdp: CDPSession = await page().context().newCDPSession(page());
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Memory.simulatePressureNotification', { level: 'critical' });
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const { documents, nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
    await cdp.detach();
    const node = process.memoryUsage();
    return {
      rendererHeapMiB: usedSize / MIB,
      rendererMiB: (await shell.rendererMemoryMB()) ?? Number.NaN,
      dom: { documents, nodes, jsEventListeners },
      kioskHeapMiB: node.heapUsed / MIB,
      kioskExternalMiB: node.external / MIB,
    };
  },
  close: async () => {
    await runtime.close();
    return true;
  },
});
