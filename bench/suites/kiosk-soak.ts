// 7. The whole kiosk, soaked. The product's Chromium shell (test/support/e2e.ts, headless,
// 1920x1080) on the bench upstream through 1,000 resets (each one a real reload of the
// bundled UI, acknowledged) and 10,000 screen changes (the visitor's own path: Events,
// Offices, back home, clicked in the page). What it retains, at the start (after a warm-up)
// and at the end, both after a full garbage collection: the renderer's JavaScript heap in
// use (what the page keeps; the heap's size, which the shell's memory watch samples, grows in
// whole 256 KiB pages and is shown beside it), and the total RSS of the kiosk: this process
// (relay, kiosk side, the shell's playwright-core, and the bench's upstream and loop) plus
// every process of its Chromium, with this process's JS heap and external memory after GC
// beside it (RSS the allocator keeps after a GC is not retained memory; see soak.ts).
import { readdirSync, readFileSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { startE2eKiosk, type E2eKiosk } from '../../test/support/e2e.ts';
import { newToken } from '../lib/kiosk.ts';
import { rssMiB, sleep } from '../lib/proc.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { BenchUpstream } from '../lib/upstream.ts';

const CONTENT = '#root[data-screen="home"] [data-testid="event"]';
const MIB = 1024 * 1024;

interface Checkpoint {
  resets: number;
  screens: number;
  /** The renderer's JS heap in use after a full GC (Runtime.getHeapUsage). */
  rendererHeapMiB: number;
  /** The renderer's JS heap size, as the shell's memory watch samples it. */
  rendererHeapSizeMiB: number;
  kioskRssMiB: number;
  /** This process's JS heap in use and external memory after a full GC. */
  kioskHeapMiB: number;
  kioskExternalMiB: number;
  chromiumRssMiB: number;
}

/** Every process of the kiosk's Chromium: the one started on its profile, and all it started. */
function chromiumPids(): number[] {
  const parents = new Map<number, number>();
  const roots: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('kiosk-shell-chromium-') && parents.get(pid) === process.pid) roots.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  const all = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!all.has(pid) && all.has(parent)) {
        all.add(pid);
        grew = true;
      }
    }
  }
  return [...all];
}

async function checkpoint(kiosk: E2eKiosk, cdp: CDPSession, resets: number, screens: number): Promise<Checkpoint> {
  await cdp.send('HeapProfiler.collectGarbage');
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(500);
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  const heapSize = (await kiosk.shell?.rendererMemoryMB()) ?? Number.NaN;
  const node = process.memoryUsage();
  const chromium = chromiumPids().reduce((sum, pid) => {
    try {
      return sum + rssMiB(pid);
    } catch {
      return sum;
    }
  }, 0);
  return {
    resets,
    screens,
    rendererHeapMiB: usedSize / MIB,
    rendererHeapSizeMiB: heapSize,
    kioskRssMiB: rssMiB(process.pid),
    kioskHeapMiB: node.heapUsed / MIB,
    kioskExternalMiB: node.external / MIB,
    chromiumRssMiB: chromium,
  };
}

/** Clicks through `count` screens in the page itself, one frame apart: Events, Offices, home. */
async function changeScreens(page: Page, count: number): Promise<void> {
  await page.evaluate(async (n) => {
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
}

export const kioskSoakSuite: Suite = {
  name: 'kiosk-soak',
  title: 'Kiosk soak (Chromium shell)',
  async run(ctx: BenchContext) {
    const resets = ctx.quick ? 50 : 1000;
    const screens = ctx.quick ? 500 : 10_000;
    // Whole resets and screen changes per round (50 / 10 = 5 in quick mode, not 2.5).
    const rounds = ctx.quick ? 10 : 20;
    const token = newToken('bench');
    const upstream = new BenchUpstream({ wsToken: token, apiToken: token });
    await upstream.start();
    let kiosk: E2eKiosk | undefined;
    try {
      kiosk = await startE2eKiosk({
        upstream: { wsUrl: upstream.wsUrl, apiUrl: upstream.apiUrl, token },
        overrides: { kioskId: 'bench-soak-1', reset: { minIntervalSeconds: 0 }, idle: { returnHomeSeconds: 0 } },
      });
      await kiosk.page().locator(CONTENT).first().waitFor({ timeout: 30_000 });
      await upstream.waitFor(() => upstream.stats().hellos >= 1, 15_000, 'the kiosk\'s hello');
      const acks = new Set<string>();
      upstream.onText = (text) => {
        if (!text.includes('"kiosk.ack"')) return;
        const ack = JSON.parse(text) as { id: string; status: string };
        if (ack.status === 'reloaded') acks.add(ack.id);
      };
      const reset = async (id: string) => {
        upstream.broadcast(JSON.stringify({ type: 'kiosk.reset', id, target: 'all' }));
        await upstream.waitFor(() => acks.has(id), 20_000, `the ack of ${id}`);
        await kiosk!.page().locator(CONTENT).first().waitFor({ timeout: 20_000 });
      };
      // Warm-up: the caches and pools a first minute fills are not growth.
      for (let i = 0; i < 10; i++) await reset(`soak-warm-${i}`);
      await changeScreens(kiosk.page(), 300);
      const cdpOf = async () => kiosk!.page().context().newCDPSession(kiosk!.page());
      const start = await checkpoint(kiosk, await cdpOf(), 0, 0);
      ctx.log(`kiosk soak: start ${JSON.stringify(start)}`);
      let done = { resets: 0, screens: 0 };
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < resets / rounds; i++) await reset(`soak-${round}-${i}`);
        await changeScreens(kiosk.page(), screens / rounds);
        done = { resets: done.resets + resets / rounds, screens: done.screens + screens / rounds };
        if ((round + 1) % 5 === 0) ctx.log(`kiosk soak: ${done.resets} resets, ${done.screens} screen changes`);
      }
      const end = await checkpoint(kiosk, await cdpOf(), done.resets, done.screens);
      ctx.log(`kiosk soak: end ${JSON.stringify(end)}`);
      const total = (c: Checkpoint) => c.kioskRssMiB + c.chromiumRssMiB;
      const growth = (a: number, b: number) => ((b - a) / a) * 100;
      const heapGrowth = growth(start.rendererHeapMiB, end.rendererHeapMiB);
      const rssGrowth = growth(total(start), total(end));
      const figures: Figure[] = [
        {
          id: 'kiosk-soak.renderer',
          label: `Renderer JS heap in use over ${done.resets} resets and ${done.screens} screen changes (Chromium shell)`,
          value: heapGrowth,
          unit: '%',
          extra: `${start.rendererHeapMiB.toFixed(2)} → ${end.rendererHeapMiB.toFixed(2)} MiB after a full GC (heap size, as the memory watch reads it, ${start.rendererHeapSizeMiB.toFixed(2)} → ${end.rendererHeapSizeMiB.toFixed(2)})`,
          baselines: [{ label: 'heap at the start', value: start.rendererHeapMiB, unit: 'MiB' }],
          target: { text: '< 10 % growth', met: heapGrowth < 10 },
        },
        {
          id: 'kiosk-soak.rss',
          label: 'Kiosk total RSS over the same soak (this process + every Chromium process)',
          value: rssGrowth,
          unit: '%',
          extra: `${total(start).toFixed(0)} → ${total(end).toFixed(0)} MiB (relay and kiosk side ${start.kioskRssMiB.toFixed(0)} → ${end.kioskRssMiB.toFixed(0)}, its JS heap + external after GC ${(start.kioskHeapMiB + start.kioskExternalMiB).toFixed(0)} → ${(end.kioskHeapMiB + end.kioskExternalMiB).toFixed(0)}; Chromium ${start.chromiumRssMiB.toFixed(0)} → ${end.chromiumRssMiB.toFixed(0)})`,
          baselines: [{ label: 'RSS at the start', value: total(start), unit: 'MiB' }],
          target: { text: '< 10 % growth', met: rssGrowth < 10 },
        },
      ];
      const ratio = ratioOf(total(end), total(start));
      if (ratio !== undefined) figures[1] = { ...figures[1]!, ratio };
      return {
        figures,
        details: { start, end, resets: done.resets, screens: done.screens },
        notes: [
          'Kiosk soak: 10 uncounted warm-up resets and 300 screen changes; start and end taken after Chromium\'s and (with --expose-gc) Node\'s full GC; the renderer heap is Runtime.getHeapUsage\'s usedSize; RSS is VmRSS from /proc',
        ],
      };
    } finally {
      await kiosk?.close();
      await upstream.stop();
    }
  },
};
