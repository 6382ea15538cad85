// The kiosk of the kiosk soak, in its own process as an installed kiosk runs it: the same
// runtime and Chromium shell `kiosk-shell run --shell chromium --headless` starts (logging to
// its files, not to memory), on the bench upstream named in argv. Its memory is the
// kiosk's alone: the bench's upstream and loop live in the orchestrator. The IPC handlers
// only do what a visitor does (screen changes, in the page) and read the figures.
//
// argv: <upstream ws url> <upstream api url> <token> <state dir>
import { readdirSync, readFileSync } from 'node:fs';
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
const { shell, kiosk } = await attachHeadlessChromium(runtime, logger);
// A stop from the orchestrator closes the kiosk as a supervisor's would: Chromium and its profile go too.
process.once('SIGTERM', () => void runtime.close().finally(() => process.exit(0)));

/** One process's memory-infra dump: each allocator's attributes, its size in hex bytes. */
type AllocatorDump = Record<string, { attrs?: { size?: { value: string } } }>;

interface TraceEvent {
  ph?: string;
  pid: number;
  args?: { dumps?: { level_of_detail?: string; allocators?: AllocatorDump } };
}

const ALLOCATORS = ['malloc', 'partition_alloc', 'blink_gc', 'v8', 'cc', 'gpu', 'skia', 'skia/sk_resource_cache', 'font_caches', 'web_cache', 'discardable'];

/** The top allocators of one process's dump, in MiB, and how many entries Skia's resource cache holds. */
function allocatorsOf(dump: AllocatorDump): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const name of ALLOCATORS) {
    const hex = dump[name]?.attrs?.size?.value;
    if (hex !== undefined) sizes[name] = Number.parseInt(hex, 16) / MIB;
  }
  sizes['skia/sk_resource_cache entries'] = Object.keys(dump).filter((name) => name.startsWith('skia/sk_resource_cache/')).length;
  return sizes;
}

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
  /** A full GC in the page and here: what is left is live, plus what the allocators keep. */
  gc: async () => {
    if (typeof (globalThis as { gc?: unknown }).gc !== 'function') throw new Error('the soak worker needs --expose-gc (npm run bench passes it on)');
    const cdp: CDPSession = await page().context().newCDPSession(page());
    try {
      await cdp.send('HeapProfiler.collectGarbage');
      (globalThis as unknown as { gc: () => void }).gc();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const { documents, nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
      const node = process.memoryUsage();
      return {
        rendererHeapMiB: usedSize / MIB,
        rendererMiB: (await shell.rendererMemoryMB()) ?? Number.NaN,
        dom: { documents, nodes, jsEventListeners },
        kioskHeapMiB: node.heapUsed / MIB,
        kioskExternalMiB: node.external / MIB,
        kioskHeapCommittedMiB: node.heapTotal / MIB,
        recycled: kiosk.stats.memory.recycled,
      };
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  },
  /**
   * Chromium told memory is short, as the system tells it when it is: the caches it drops
   * then (freed pages its allocators keep, decoded resources) are not what the kiosk retains.
   */
  purge: async () => {
    const cdp: CDPSession = await page().context().newCDPSession(page());
    try {
      await cdp.send('Memory.simulatePressureNotification', { level: 'critical' });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return (await shell.rendererMemoryMB()) ?? Number.NaN;
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  },
  /**
   * Chromium's own account of each process's memory by allocator (a memory-infra dump,
   * MiB): what grew, by name, when a process's RSS does. Skia's resource cache is where
   * the tiles of CSS gradients piled up once (renderer/src/styles/kiosk.css).
   */
  allocators: async () => {
    const browser = page().context().browser();
    if (browser === null) throw new Error('no browser to dump');
    const cdp = await browser.newBrowserCDPSession();
    try {
      const events: TraceEvent[] = [];
      cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.start', {
        // No triggers: the one dump asked for below, no periodic ones (the protocol types
        // this field as a string map; Chromium reads a list).
        traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], excludedCategories: ['*'], memoryDumpConfig: { triggers: [] } as unknown as Record<string, string> },
        transferMode: 'ReportEvents',
      });
      const { success } = await cdp.send('Tracing.requestMemoryDump', { levelOfDetail: 'detailed' });
      if (!success) throw new Error('Chromium did not take the memory dump');
      await cdp.send('Tracing.end');
      await complete;
      return Object.fromEntries(events.filter((event) => event.ph === 'v' && event.args?.dumps?.level_of_detail === 'detailed').map((event) => [event.pid, allocatorsOf(event.args?.dumps?.allocators ?? {})]));
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  },
  /** The last lines of the kiosk's log (for a failure's report). */
  logTail: () => {
    const dir = path.join(stateDir, 'logs');
    const file = readdirSync(dir).filter((name) => name.endsWith('.log')).sort().pop();
    return file === undefined ? '' : readFileSync(path.join(dir, file), 'utf8').split('\n').slice(-40).join('\n');
  },
  close: async () => {
    await runtime.close();
    return true;
  },
});
