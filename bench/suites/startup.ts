// 3. Start-up. `kiosk-shell serve` from process start to its ready line, from source (type
// stripping) and from the built dist/ (the installed command), median of 10, interleaved
// with the floor `node -e 0`. Then the Chromium shell: the CLI's ready line, and first
// content on screen (the shell in-process, see workers/first-content.ts), against Chromium
// alone showing a static page.
import path from 'node:path';
import { costOf, describeCosts, importCosts, SERVER_LIBRARIES } from '../lib/imports.ts';
import { startWorker, type Worker } from '../lib/ipc.ts';
import { cleanEnv, cliArgs, newToken, writeKioskConfig, type KioskConfigFile } from '../lib/kiosk.ts';
import { nowMs, REPO_ROOT, watch, watchNode } from '../lib/proc.ts';
import { ratioOf, type BenchContext, type Figure, type Suite } from '../lib/report.ts';
import { median } from '../lib/stats.ts';

async function timeToExit(args: string[]): Promise<number> {
  const started = nowMs();
  const proc = watch(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
  const { atMs } = await proc.exited;
  return atMs - started;
}

async function serveOnce(entry: 'source' | 'dist', config: string, env: NodeJS.ProcessEnv = {}): Promise<{ readyMs: number; stopMs: number }> {
  const started = nowMs();
  const proc = watch(process.execPath, [...cliArgs(entry), 'serve', '--config', config], { cwd: REPO_ROOT, env: cleanEnv(env) });
  const ready = await proc.line((v) => v.event === 'ready');
  const stopAt = nowMs();
  const exit = await proc.stop(5000);
  return { readyMs: ready.atMs - started, stopMs: exit.atMs - stopAt };
}

async function chromiumCliOnce(config: string): Promise<number> {
  const started = nowMs();
  const proc = watch(process.execPath, [...cliArgs('source'), '--shell', 'chromium', '--headless', '--config', config], { cwd: REPO_ROOT, env: cleanEnv() });
  const ready = await proc.line((v) => v.event === 'ready', 60_000);
  await proc.stop(5000);
  return ready.atMs - started;
}

async function firstContentOnce(config: string): Promise<{ readyMs: number; contentMs: number }> {
  const started = nowMs();
  const proc = watchNode('bench/workers/first-content.ts', [config], { env: cleanEnv() });
  const ready = await proc.line((v) => v.event === 'ready', 60_000);
  const content = await proc.line((v) => v.event === 'content', 60_000);
  await proc.stop(5000);
  return { readyMs: ready.atMs - started, contentMs: content.atMs - started };
}

async function chromiumBaselineOnce(): Promise<number> {
  const started = nowMs();
  const proc = watchNode('bench/workers/chromium-baseline.ts');
  const content = await proc.line((v) => v.event === 'content', 60_000);
  await proc.stop(5000);
  return content.atMs - started;
}

/** What the import measurements say holds the ready line back. */
function startupNote(bareMs: number, cachedMs: number): string {
  const { cliLoadsPlaywright } = importCosts();
  const cli = costOf('dist/kiosk/cli.js');
  const serve = costOf('dist/kiosk/commands/serve.js');
  const server = costOf('dist/server/kiosk-server.js');
  const playwright = costOf('playwright-core');
  const parts: string[] = [];
  if (cli !== undefined && serve !== undefined && server !== undefined) {
    parts.push(`loading modules: importing the built CLI (dist/kiosk/cli.js) alone takes ${cli.ms.toFixed(0)} ms, the serve command's module graph (dist/kiosk/commands/serve.js) ${serve.ms.toFixed(0)} ms, of which the server (dist/server/kiosk-server.js) ${server.ms.toFixed(0)} ms`);
  }
  if (cliLoadsPlaywright && playwright !== undefined) {
    parts.push(`importing the CLI loads playwright-core (${playwright.ms.toFixed(0)} ms alone), which \`serve\` never uses: kiosk/cli.ts imports kiosk/commands/run.ts → kiosk/chromium-shell.ts statically`);
  }
  parts.push(`the server's own dependencies, each imported alone: ${describeCosts([...SERVER_LIBRARIES, 'commander'], 'ms')}`);
  parts.push(`Node itself takes ${bareMs.toFixed(0)} ms to run nothing here, and a warm compile cache (NODE_COMPILE_CACHE) still leaves ${cachedMs.toFixed(0)} ms: evaluating the dependency graph, not compiling it, is what costs`);
  return parts.join('; ');
}

export const startupSuite: Suite = {
  name: 'startup',
  title: 'Start-up',
  async run(ctx: BenchContext) {
    const runs = ctx.quick ? 3 : 10;
    const browserRuns = ctx.quick ? 1 : 5;
    const wsToken = newToken('ws');
    const apiToken = newToken('api');
    let upstream: Worker | undefined;
    let config: KioskConfigFile | undefined;
    try {
      upstream = await startWorker('bench/workers/upstream.ts', [], { BENCH_WS_TOKEN: wsToken, BENCH_API_TOKEN: apiToken });
      const { port } = await upstream.call<{ port: number }>('start');
      config = writeKioskConfig({ wsUrl: `ws://127.0.0.1:${port}/ws/kiosk/`, apiUrl: `http://127.0.0.1:${port}/api/`, wsToken, apiToken });

      // One of each first, not counted: the file cache (and Node's compile cache) warm up.
      const compileCache = { NODE_COMPILE_CACHE: path.join(config.dir, 'compile-cache') };
      await timeToExit(['-e', '0']);
      await serveOnce('source', config.file);
      await serveOnce('dist', config.file);
      await serveOnce('dist', config.file, compileCache);
      const bare: number[] = [];
      const source: { readyMs: number; stopMs: number }[] = [];
      const dist: { readyMs: number; stopMs: number }[] = [];
      const cached: { readyMs: number; stopMs: number }[] = [];
      for (let i = 0; i < runs; i++) {
        bare.push(await timeToExit(['-e', '0']));
        source.push(await serveOnce('source', config.file));
        dist.push(await serveOnce('dist', config.file));
        cached.push(await serveOnce('dist', config.file, compileCache));
      }
      ctx.log(`startup: node -e 0 ${median(bare).toFixed(0)} ms; serve (source) ${median(source.map((s) => s.readyMs)).toFixed(0)} ms; serve (dist) ${median(dist.map((s) => s.readyMs)).toFixed(0)} ms`);

      if (!ctx.quick) await chromiumBaselineOnce();
      const cli: number[] = [];
      const inProcess: { readyMs: number; contentMs: number }[] = [];
      const chromiumAlone: number[] = [];
      for (let i = 0; i < browserRuns; i++) {
        chromiumAlone.push(await chromiumBaselineOnce());
        cli.push(await chromiumCliOnce(config.file));
        inProcess.push(await firstContentOnce(config.file));
      }
      ctx.log(`startup: chromium alone ${median(chromiumAlone).toFixed(0)} ms; CLI ready ${median(cli).toFixed(0)} ms; first content ${median(inProcess.map((r) => r.contentMs)).toFixed(0)} ms`);

      const costs = importCosts();
      const bareMs = median(bare);
      const cachedReady = median(cached.map((s) => s.readyMs));
      const figures: Figure[] = [];
      for (const [entry, samples] of [['dist', dist], ['source', source]] as const) {
        const ready = median(samples.map((s) => s.readyMs));
        const ratio = ratioOf(ready, bareMs);
        figures.push({
          id: `startup.serve.${entry}`,
          label: entry === 'dist' ? '`kiosk-shell serve` start → ready line (built, bin/kiosk-shell.js)' : '`kiosk-shell serve` start → ready line (source, node kiosk/cli.ts)',
          value: ready,
          unit: 'ms',
          extra: `median of ${runs}; SIGTERM → exit ${median(samples.map((s) => s.stopMs)).toFixed(0)} ms`,
          baselines: [{ label: '`node -e 0`', value: bareMs, unit: 'ms' }],
          ...(ratio === undefined ? {} : { ratio }),
          target: { text: '< 400 ms', met: ready < 400 },
          note: startupNote(bareMs, cachedReady),
        });
      }
      const cachedRatio = ratioOf(cachedReady, bareMs);
      figures.push({
        id: 'startup.serve.compile-cache',
        label: '`kiosk-shell serve` start → ready line (built, with NODE_COMPILE_CACHE warm)',
        value: cachedReady,
        unit: 'ms',
        extra: `median of ${runs}; what Node's module compile cache would buy`,
        baselines: [{ label: '`node -e 0`', value: bareMs, unit: 'ms' }],
        ...(cachedRatio === undefined ? {} : { ratio: cachedRatio }),
      });
      const alone = median(chromiumAlone);
      const cliReady = median(cli);
      const contentMs = median(inProcess.map((r) => r.contentMs));
      const cliRatio = ratioOf(cliReady, alone);
      figures.push({
        id: 'startup.chromium.ready',
        label: '`kiosk-shell --shell chromium --headless` start → ready line',
        value: cliReady,
        unit: 'ms',
        extra: `median of ${browserRuns}`,
        baselines: [{ label: 'Chromium alone, static page shown', value: alone, unit: 'ms' }],
        ...(cliRatio === undefined ? {} : { ratio: cliRatio }),
      });
      const contentRatio = ratioOf(contentMs, alone);
      figures.push({
        id: 'startup.chromium.content',
        label: 'Chromium shell start → first content (event cards) visible',
        value: contentMs,
        unit: 'ms',
        extra: `median of ${browserRuns}; the shell in-process, content through /api`,
        baselines: [{ label: 'Chromium alone, static page shown', value: alone, unit: 'ms' }],
        ...(contentRatio === undefined ? {} : { ratio: contentRatio }),
      });
      return {
        figures,
        details: { bare, source, dist, cached, chromiumAlone, cli, inProcess, importCosts: costs },
        notes: [
          `process spawn → first stdout line, measured by the parent; ${runs} runs of each, interleaved, after one uncounted warm-up run each`,
          'first content: workers/first-content.ts starts the runtime and the Chromium shell as the CLI does and waits for an event card to be visible (Playwright polls on animation frames)',
        ],
      };
    } finally {
      config?.remove();
      await upstream?.stop();
    }
  },
};
