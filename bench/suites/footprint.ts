// 4. Footprint. RSS of `kiosk-shell serve` idle (uplink open, no page) and while relaying
// 1,000 frames/s to a connected page, against a bare Node process; the renderer's JS and
// CSS as shipped in dist/renderer, gzipped (level 9, as bundle-size tools report it).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { costOf, describeCosts, importCosts, SERVER_LIBRARIES, SERVER_LIBRARIES_TOGETHER } from '../lib/imports.ts';
import { startWorker, type Worker } from '../lib/ipc.ts';
import { newToken, startServe, type ServeProcess } from '../lib/kiosk.ts';
import { REPO_ROOT, rssMiB, sleep, watch } from '../lib/proc.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { max, median } from '../lib/stats.ts';

async function sampleRss(pid: number, count: number, everyMs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    samples.push(rssMiB(pid));
    await sleep(everyMs);
  }
  return samples;
}

function gzippedAssets(folder = 'renderer'): { js: number; css: number; html: number; files: Record<string, { raw: number; gzip: number }> } {
  const dir = path.join(REPO_ROOT, 'dist', folder);
  const files: Record<string, { raw: number; gzip: number }> = {};
  const totals = { js: 0, css: 0, html: 0 };
  const visit = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) {
        visit(rel);
        continue;
      }
      const ext = path.extname(entry.name).slice(1);
      if (ext !== 'js' && ext !== 'css' && ext !== 'html') continue;
      const bytes = readFileSync(path.join(dir, rel));
      const gzip = gzipSync(bytes, { level: 9 }).length;
      files[rel] = { raw: bytes.length, gzip };
      totals[ext] += gzip;
    }
  };
  visit('');
  return { ...totals, files };
}

/** Target: < 70 MB, in MiB. */
const IDLE_TARGET_MIB = 70 / 1.048576;

function footprintNote(bareRss: number, idleRss: number): string {
  const { cliLoadsPlaywright } = importCosts();
  const playwright = costOf('playwright-core');
  const parts = [`a bare Node process is already ${bareRss.toFixed(0)} MiB here`];
  if (cliLoadsPlaywright && playwright !== undefined) {
    parts.push(`the CLI loads playwright-core (+${playwright.rssMiB.toFixed(0)} MiB alone), unused by \`serve\`: kiosk/cli.ts imports kiosk/commands/run.ts → kiosk/chromium-shell.ts statically`);
  }
  parts.push(`the server's libraries, each imported alone into a bare process: ${describeCosts(SERVER_LIBRARIES, 'rss')}`);
  const together = costOf(SERVER_LIBRARIES_TOGETHER);
  if (together !== undefined) {
    const floor = bareRss + together.rssMiB;
    const above = floor > IDLE_TARGET_MIB ? `, above the target (${IDLE_TARGET_MIB.toFixed(1)} MiB) before any of our own code loads` : '';
    parts.push(`all five imported together, with none of our code, make ${floor.toFixed(0)} MiB${above} (the built relay, bundled into one file and idle with its uplink open: ${idleRss.toFixed(0)} MiB)`);
  }
  return parts.join('; ');
}

export const footprintSuite: Suite = {
  name: 'footprint',
  title: 'Footprint',
  async run(ctx: BenchContext) {
    const loadSeconds = ctx.quick ? 4 : 10;
    const wsToken = newToken('ws');
    const apiToken = newToken('api');
    let upstream: Worker | undefined;
    let client: Worker | undefined;
    const serves: ServeProcess[] = [];
    const bare = watch(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      upstream = await startWorker('bench/workers/upstream.ts', [], { BENCH_WS_TOKEN: wsToken, BENCH_API_TOKEN: apiToken });
      const { port } = await upstream.call<{ port: number }>('start');
      const address = { wsUrl: `ws://127.0.0.1:${port}/ws/kiosk/`, apiUrl: `http://127.0.0.1:${port}/api/`, wsToken, apiToken };
      const dist = await startServe(address, { entry: 'dist' });
      serves.push(dist);
      const source = await startServe(address, { entry: 'source' });
      serves.push(source);
      await upstream.call('waitHellos', { count: 2, timeoutMs: 15_000 });
      // Let start-up garbage be collected and the heap settle before calling it idle.
      await sleep(ctx.quick ? 2000 : 3000);
      const idle = { dist: [] as number[], source: [] as number[], bare: [] as number[] };
      for (let i = 0; i < 10; i++) {
        idle.dist.push(rssMiB(dist.proc.pid));
        idle.source.push(rssMiB(source.proc.pid));
        idle.bare.push(rssMiB(bare.pid));
        await sleep(300);
      }
      ctx.log(`footprint: idle RSS dist ${median(idle.dist).toFixed(1)} MiB, source ${median(idle.source).toFixed(1)} MiB, bare node ${median(idle.bare).toFixed(1)} MiB`);

      // A page on the built kiosk, and the upstream publishing 1,000 frames/s of 256 B.
      await source.stop();
      serves.pop();
      client = await startWorker('bench/workers/client.ts');
      await client.call('connect', { ...dist.page, waitUplink: true });
      await client.call('drainReset');
      const publishing = upstream.call<{ sent: number }>('publish', { rate: 1000, seconds: loadSeconds, size: 256 });
      const loaded = await sampleRss(dist.proc.pid, Math.floor((loadSeconds * 1000) / 250) - 1, 250);
      const { sent } = await publishing;
      await sleep(300);
      const drained = await client.call<{ frames: number; open: boolean }>('drained');
      ctx.log(`footprint: under 1,000 msg/s RSS median ${median(loaded).toFixed(1)} MiB, max ${max(loaded).toFixed(1)} MiB; page got ${drained.frames}/${sent}`);

      const assets = gzippedAssets();
      const idleDist = median(idle.dist);
      const idleSource = median(idle.source);
      const bareRss = median(idle.bare);
      const figures: Figure[] = [];
      const idleRatio = ratioOf(idleDist, bareRss);
      figures.push({
        id: 'footprint.idle.dist',
        label: '`serve` RSS idle (built, uplink open, no page)',
        value: idleDist,
        unit: 'MiB',
        baselines: [{ label: 'bare `node`', value: bareRss, unit: 'MiB' }],
        ...(idleRatio === undefined ? {} : { ratio: idleRatio }),
        target: { text: '< 70 MB', met: idleDist < IDLE_TARGET_MIB },
        note: footprintNote(bareRss, idleDist),
      });
      const sourceRatio = ratioOf(idleSource, bareRss);
      figures.push({
        id: 'footprint.idle.source',
        label: '`serve` RSS idle (from source, type stripping)',
        value: idleSource,
        unit: 'MiB',
        baselines: [{ label: 'bare `node`', value: bareRss, unit: 'MiB' }],
        ...(sourceRatio === undefined ? {} : { ratio: sourceRatio }),
      });
      const loadedMedian = median(loaded);
      const loadRatio = ratioOf(loadedMedian, idleDist);
      figures.push({
        id: 'footprint.load',
        label: '`serve` RSS relaying 1,000 msg/s (256 B) to a page',
        value: loadedMedian,
        unit: 'MiB',
        extra: `max ${max(loaded).toFixed(1)} MiB over ${loadSeconds} s; page received ${drained.frames} of ${sent}`,
        baselines: [{ label: 'idle', value: idleDist, unit: 'MiB' }],
        ...(loadRatio === undefined ? {} : { ratio: loadRatio }),
      });
      const sdk = gzippedAssets('sdk');
      figures.push({
        id: 'footprint.renderer.js',
        label: 'Renderer JS, gzipped (the bundled UI\'s own)',
        value: assets.js / 1000,
        unit: 'KB',
        extra: `with the page SDK it loads from the kiosk, as every UI does: ${((assets.js + sdk.js) / 1000).toFixed(1)} KB`,
        target: { text: '≤ 90 KB', met: assets.js <= 90 * 1000 },
        note: 'React and ReactDOM are most of the bundle',
      });
      figures.push({
        id: 'footprint.sdk.js',
        label: 'Page SDK JS, gzipped (/kiosk-shell/sdk.js: the key, the link to the shell, the page agent)',
        value: sdk.js / 1000,
        unit: 'KB',
      });
      figures.push({
        id: 'footprint.renderer.css',
        label: 'Renderer CSS, gzipped',
        value: assets.css / 1000,
        unit: 'KB',
        extra: `index.html ${(assets.html / 1000).toFixed(1)} KB`,
      });
      return {
        figures,
        details: { idle, loaded, sent, drained, assets, sdk, importCosts: importCosts() },
        notes: ['RSS is VmRSS from /proc, sampled every 300 ms (idle, 10 samples after 2–3 s of quiet) or 250 ms (under load), shown in MiB (the 70 MB target is 66.8 MiB); bundle sizes are gzip -9 of dist/renderer, in KB (1,000 bytes)'],
      };
    } finally {
      await client?.stop();
      for (const serve of serves) await serve.stop();
      await bare.stop();
      await upstream?.stop();
    }
  },
};
