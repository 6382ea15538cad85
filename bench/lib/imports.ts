// What importing a module costs a fresh Node process: time and resident memory, each module
// alone, median of three processes. The start-up and footprint notes quote it, so that
// "what holds a figure back" is measured, not guessed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './proc.ts';
import { median } from './stats.ts';

export interface ImportCost {
  module: string;
  ms: number;
  rssMiB: number;
}

/** The libraries the relay is built on: what `serve` cannot load less than. */
export const SERVER_LIBRARIES = ['express', 'zod', 'pino', 'ws', 'http-proxy-middleware'] as const;
/** The name under which the cost of importing all of SERVER_LIBRARIES into one process is kept. */
export const SERVER_LIBRARIES_TOGETHER = SERVER_LIBRARIES.join(' + ');

const MODULES = [...SERVER_LIBRARIES, 'commander', 'playwright-core', SERVER_LIBRARIES_TOGETHER, 'dist/server/kiosk-server.js', 'dist/kiosk/commands/serve.js', 'dist/kiosk/cli.js'];

function measure(specifiers: readonly string[]): { ms: number; rssMiB: number } {
  const imports = specifiers.map((s) => `await import(${JSON.stringify(s)});`).join(' ');
  const code = `const t = performance.now(); ${imports} const ms = performance.now() - t; console.log(JSON.stringify({ ms, rssMiB: process.memoryUsage().rss / 2 ** 20 }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { ms: number; rssMiB: number };
}

let cached: { bare: ImportCost; modules: ImportCost[]; cliLoadsPlaywright: boolean } | undefined;

/** Does importing the built CLI (as `kiosk-shell serve` starts) load playwright-core? */
function cliLoadsPlaywright(): boolean {
  const cli = path.join(REPO_ROOT, 'dist', 'kiosk', 'cli.js');
  if (!existsSync(cli)) return false;
  const code = `import { createRequire } from 'node:module'; await import(${JSON.stringify(pathToFileURL(cli).href)}); console.log(Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('playwright-core')));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 }).trim().endsWith('true');
}

/** Each module's import cost over a bare process (memoised for the run). */
export function importCosts(): { bare: ImportCost; modules: ImportCost[]; cliLoadsPlaywright: boolean } {
  if (cached !== undefined) return cached;
  const runs = (specifiers: readonly string[]) => Array.from({ length: 3 }, () => measure(specifiers));
  const bareRuns = runs([]);
  const bare = { module: '(nothing)', ms: 0, rssMiB: median(bareRuns.map((r) => r.rssMiB)) };
  const modules: ImportCost[] = [];
  for (const module of MODULES) {
    const local = module.startsWith('dist/');
    if (local && !existsSync(path.join(REPO_ROOT, module))) continue;
    const specifiers = module === SERVER_LIBRARIES_TOGETHER ? SERVER_LIBRARIES : [local ? pathToFileURL(path.join(REPO_ROOT, module)).href : module];
    const samples = runs(specifiers);
    modules.push({ module, ms: median(samples.map((s) => s.ms)), rssMiB: median(samples.map((s) => s.rssMiB)) - bare.rssMiB });
  }
  cached = { bare, modules, cliLoadsPlaywright: cliLoadsPlaywright() };
  return cached;
}

export function costOf(module: string): ImportCost | undefined {
  return importCosts().modules.find((m) => m.module === module);
}

/** "express 220 ms / +20 MiB, …" for the given modules. */
export function describeCosts(modules: readonly string[], what: 'ms' | 'rss' | 'both' = 'both'): string {
  return modules
    .map((m) => costOf(m))
    .filter((c): c is ImportCost => c !== undefined)
    .map((c) => `${c.module} ${what === 'rss' ? '' : `${c.ms.toFixed(0)} ms`}${what === 'both' ? ' / ' : ''}${what === 'ms' ? '' : `+${c.rssMiB.toFixed(0)} MiB`}`)
    .join(', ');
}
