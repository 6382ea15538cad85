// 7. The whole kiosk, soaked. The kiosk in its own process, as `kiosk-shell run --shell
// chromium --headless` runs it (bench/workers/soak-kiosk.ts: the product's runtime and
// Chromium shell, 1920x1080, logging to its files), on the bench upstream through 1,000
// resets (each one a real reload of the bundled UI, acknowledged) and 10,000 screen changes
// (the visitor's own path: Events, Offices, back home, clicked in the page). What it
// retains, at the start (after a warm-up) and at the end, both after a full garbage
// collection: the renderer's JavaScript heap in use and its process's memory (what the
// shell's memory watch samples), and the total RSS of the kiosk: its process (relay, kiosk
// side, the shell's playwright-core) plus every process of its Chromium, with the kiosk
// process's JS heap and external memory beside it, and each Chromium process's RSS and
// PSS in the details (a sum of RSS counts pages shared between processes more than once).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KIOSK_NODE_FLAGS } from '../../kiosk/node-flags.ts';
import { startWorker, type Worker } from '../lib/ipc.ts';
import { newToken } from '../lib/kiosk.ts';
import { rssMiB } from '../lib/proc.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { BenchUpstream } from '../lib/upstream.ts';

interface Checkpoint {
  resets: number;
  screens: number;
  /** The renderer's JS heap in use after a full GC (Runtime.getHeapUsage). */
  rendererHeapMiB: number;
  /** The page's renderer process (resident), as the shell's memory watch samples it. */
  rendererMiB: number;
  /** The page's documents, DOM nodes and listeners (Memory.getDOMCounters). */
  dom: { documents: number; nodes: number; jsEventListeners: number };
  kioskRssMiB: number;
  /** The kiosk process's JS heap in use and external memory after a full GC. */
  kioskHeapMiB: number;
  kioskExternalMiB: number;
  /** The kiosk process's V8 heap as committed (in use or not). */
  kioskHeapCommittedMiB: number;
  /** Pages the kiosk's memory watch replaced so far. */
  recycled: number;
  chromiumRssMiB: number;
  /** The same processes' PSS (shared pages counted once across them). */
  chromiumPssMiB: number;
  /** The same figures after the GC, before Chromium's memory-pressure signal. */
  beforePurge: { kioskRssMiB: number; chromiumRssMiB: number; rendererMiB: number };
  /** Every Chromium process by its type (browser, renderer, gpu-process, utility...): RSS, PSS and its parts. */
  processes: ProcessMemory[];
}

interface ProcessMemory {
  pid: number;
  type: string;
  rssMiB: number;
  pssMiB: number;
  anonMiB: number;
  fileMiB: number;
  shmemMiB: number;
  /** Chromium's own figures by allocator (MiB; memory-infra), for the processes it dumps. */
  allocatorsMiB?: Record<string, number>;
}

/** A process's memory from /proc/<pid>/smaps_rollup (kB figures in MiB). */
function memoryOf(pid: number): ProcessMemory | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? Number.NaN) / 1024;
    const type = cmdline.find((a) => a.startsWith('--type='))?.slice('--type='.length) ?? 'browser';
    const sub = cmdline.find((a) => a.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length);
    return {
      pid,
      type: sub === undefined ? type : `${type}:${sub}`,
      rssMiB: field('Rss'),
      pssMiB: field('Pss'),
      anonMiB: field('Pss_Anon'),
      fileMiB: field('Pss_File'),
      shmemMiB: field('Pss_Shmem'),
    };
  } catch {
    return undefined;
  }
}

/** Every process of the kiosk's Chromium: the one `kiosk` started on its profile, and all it started. */
function chromiumPids(kiosk: number): number[] {
  const parents = new Map<number, number>();
  const roots: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('kiosk-shell-chromium-') && parents.get(pid) === kiosk) roots.push(pid);
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

interface WorkerReading {
  rendererHeapMiB: number;
  rendererMiB: number;
  dom: { documents: number; nodes: number; jsEventListeners: number };
  kioskHeapMiB: number;
  kioskExternalMiB: number;
  /** The kiosk process's V8 heap as committed (in use or not). */
  kioskHeapCommittedMiB: number;
  /** Pages the kiosk's memory watch replaced so far. */
  recycled: number;
}

function chromiumMemory(kiosk: Worker): ProcessMemory[] {
  return chromiumPids(kiosk.pid).flatMap((pid) => memoryOf(pid) ?? []);
}

/**
 * KIOSK_SOAK_ALLOCATORS=1 adds Chromium's figures by allocator (memory-infra) to every
 * process in the details, to name what grew; its tracing service then counts in the
 * Chromium figures of the readings after the first.
 */
const WITH_ALLOCATORS = process.env.KIOSK_SOAK_ALLOCATORS === '1';

const sum = (processes: ProcessMemory[], key: 'rssMiB' | 'pssMiB') => processes.reduce((total, p) => total + p[key], 0);

/** After a full GC (read as such), then after Chromium's memory-pressure signal (the figures judged). */
async function checkpoint(kiosk: Worker, resets: number, screens: number): Promise<Checkpoint> {
  const inside = await kiosk.call<WorkerReading>('gc', undefined, 60_000);
  const beforePurge = { kioskRssMiB: rssMiB(kiosk.pid), chromiumRssMiB: sum(chromiumMemory(kiosk), 'rssMiB'), rendererMiB: inside.rendererMiB };
  const rendererMiB = await kiosk.call<number>('purge', undefined, 60_000);
  let processes = chromiumMemory(kiosk);
  const kioskRssMiB = rssMiB(kiosk.pid);
  // Opt-in, and after every /proc reading: a dump starts Chromium's tracing service and
  // gives each process a trace buffer, memory the kiosk does not otherwise hold.
  if (WITH_ALLOCATORS) {
    const allocators = await kiosk.call<Record<number, Record<string, number>>>('allocators', undefined, 60_000);
    processes = processes.map((p) => (allocators[p.pid] === undefined ? p : { ...p, allocatorsMiB: allocators[p.pid] }));
  }
  return {
    resets,
    screens,
    ...inside,
    rendererMiB,
    kioskRssMiB,
    chromiumRssMiB: sum(processes, 'rssMiB'),
    chromiumPssMiB: sum(processes, 'pssMiB'),
    beforePurge,
    processes,
  };
}

/** An allocator of the page's renderer (the renderer process the memory watch read), as Chromium counts it. */
function allocator(checkpoint: Checkpoint, name: string): string {
  if (!Number.isFinite(checkpoint.rendererMiB)) return '?';
  const renderers = checkpoint.processes.filter((p) => p.type === 'renderer' && p.allocatorsMiB !== undefined);
  const page = renderers.sort((a, b) => Math.abs(a.rssMiB - checkpoint.rendererMiB) - Math.abs(b.rssMiB - checkpoint.rendererMiB))[0];
  const value = page?.allocatorsMiB?.[name];
  return value === undefined ? '?' : value.toFixed(1);
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
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-bench-soak-'));
    let kiosk: Worker | undefined;
    try {
      // Inherits --expose-gc from npm run bench; runs with the Node flags every launch of the kiosk has.
      kiosk = await startWorker('bench/workers/soak-kiosk.ts', [upstream.wsUrl, upstream.apiUrl, token, stateDir], {
        NODE_OPTIONS: [process.env.NODE_OPTIONS, ...KIOSK_NODE_FLAGS].filter((flag) => flag !== undefined && flag !== '').join(' '),
      });
      await kiosk.call('content', undefined, 60_000);
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
        await kiosk!.call('content', undefined, 30_000);
      };
      const changeScreens = (count: number) => kiosk!.call('screens', count, 600_000);
      // Warm-up: the caches and pools a first minute fills are not growth.
      for (let i = 0; i < 10; i++) await reset(`soak-warm-${i}`);
      await changeScreens(300);
      const start = await checkpoint(kiosk, 0, 0);
      ctx.log(`kiosk soak: start ${JSON.stringify(start)}`);
      let done = { resets: 0, screens: 0 };
      // A checkpoint every quarter: one reading at each end alone cannot tell growth from a swing.
      const series: Checkpoint[] = [start];
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < resets / rounds; i++) await reset(`soak-${round}-${i}`);
        await changeScreens(screens / rounds);
        done = { resets: done.resets + resets / rounds, screens: done.screens + screens / rounds };
        // Four readings whatever the number of rounds, the last one after the last round.
        if (Math.floor(((round + 1) * 4) / rounds) > Math.floor((round * 4) / rounds)) {
          const reading = await checkpoint(kiosk, done.resets, done.screens);
          series.push(reading);
          ctx.log(`kiosk soak: ${done.resets} resets, ${done.screens} screen changes: kiosk ${reading.kioskRssMiB.toFixed(0)} MiB, Chromium ${reading.chromiumRssMiB.toFixed(0)} MiB, renderer ${reading.rendererMiB.toFixed(0)} MiB, pages replaced by the memory watch ${reading.recycled}`);
        }
      }
      const end = series[series.length - 1]!;
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
          extra: `${start.rendererHeapMiB.toFixed(2)} → ${end.rendererHeapMiB.toFixed(2)} MiB after a full GC (its process, as the memory watch reads it, ${start.rendererMiB.toFixed(0)} → ${end.rendererMiB.toFixed(0)} MiB; before the pressure signal ${start.beforePurge.rendererMiB.toFixed(0)} → ${end.beforePurge.rendererMiB.toFixed(0)}${WITH_ALLOCATORS ? `; its malloc ${allocator(start, 'malloc')} → ${allocator(end, 'malloc')} MiB, Skia's resource cache ${allocator(start, 'skia/sk_resource_cache')} → ${allocator(end, 'skia/sk_resource_cache')} MiB` : ''})`,
          baselines: [{ label: 'heap at the start', value: start.rendererHeapMiB, unit: 'MiB' }],
          target: { text: '< 10 % growth', met: heapGrowth < 10 },
        },
        {
          id: 'kiosk-soak.rss',
          label: 'Kiosk total RSS over the same soak (the kiosk process + every Chromium process)',
          value: rssGrowth,
          unit: '%',
          extra: `${total(start).toFixed(0)} → ${total(end).toFixed(0)} MiB (kiosk process ${start.kioskRssMiB.toFixed(0)} → ${end.kioskRssMiB.toFixed(0)}, its JS heap + external after GC ${(start.kioskHeapMiB + start.kioskExternalMiB).toFixed(0)} → ${(end.kioskHeapMiB + end.kioskExternalMiB).toFixed(0)}, its V8 heap committed ${start.kioskHeapCommittedMiB.toFixed(0)} → ${end.kioskHeapCommittedMiB.toFixed(0)}; Chromium ${start.chromiumRssMiB.toFixed(0)} → ${end.chromiumRssMiB.toFixed(0)}, its PSS ${start.chromiumPssMiB.toFixed(0)} → ${end.chromiumPssMiB.toFixed(0)}; before the pressure signal ${(start.beforePurge.kioskRssMiB + start.beforePurge.chromiumRssMiB).toFixed(0)} → ${(end.beforePurge.kioskRssMiB + end.beforePurge.chromiumRssMiB).toFixed(0)})`,
          baselines: [{ label: 'RSS at the start', value: total(start), unit: 'MiB' }],
          target: { text: '< 10 % growth', met: rssGrowth < 10 },
        },
      ];
      const ratio = ratioOf(total(end), total(start));
      if (ratio !== undefined) figures[1] = { ...figures[1]!, ratio };
      return {
        figures,
        details: { start, end, series, resets: done.resets, screens: done.screens },
        notes: [
          'Kiosk soak: the kiosk in its own process (bench/workers/soak-kiosk.ts, with the Node flags of kiosk/node-flags.ts, as bin/kiosk-shell.js runs); 10 uncounted warm-up resets and 300 screen changes; every reading (start, each quarter, end) after a full GC in the page and in the kiosk process and a critical memory-pressure signal to Chromium (what the system sends when memory runs short: the caches Chromium then drops are not retained memory); the renderer heap is Runtime.getHeapUsage\'s usedSize; RSS is VmRSS from /proc, summed over the kiosk process and every Chromium process (the details give each process\'s RSS and PSS)',
        ],
      };
    } catch (error) {
      const tail = await kiosk?.call<string>('logTail', undefined, 10_000).catch(() => '');
      if (tail) ctx.log(`kiosk soak: the kiosk's log ends:\n${tail}`);
      throw error;
    } finally {
      await kiosk?.call('close', undefined, 30_000).catch(() => undefined);
      await kiosk?.stop();
      await upstream.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};
