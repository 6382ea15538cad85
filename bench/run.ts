// `npm run bench [-- --quick] [suite ...]`: runs the measurements, prints a Markdown table,
// writes bench/results/<ISO date>.json and, after a complete run, the README's table.
//   --quick      every suite, shorter (under three minutes in all);
//   suite names  only those (relay reset commands startup footprint herd soak kiosk-soak fuzz hardening django django-restart);
//   --readme     update the README even after a quick or partial run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeEnvironment, environment } from './lib/env.ts';
import { distIsStale } from './lib/kiosk.ts';
import { BENCH_DIR, REPO_ROOT } from './lib/proc.ts';
import { markdownTable, missedNotes, type BenchContext, type Suite, type SuiteResult } from './lib/report.ts';
import { updateReadme, type BenchRun } from './readme.ts';
import { commandsSuite } from './suites/commands.ts';
import { djangoRestartSuite } from './suites/django-restart.ts';
import { djangoSuite } from './suites/django.ts';
import { footprintSuite } from './suites/footprint.ts';
import { fuzzSuite } from './suites/fuzz.ts';
import { hardeningSuite } from './suites/hardening.ts';
import { herdSuite } from './suites/herd.ts';
import { kioskSoakSuite } from './suites/kiosk-soak.ts';
import { relaySuite } from './suites/relay.ts';
import { resetSuite } from './suites/reset.ts';
import { soakSuite } from './suites/soak.ts';
import { startupSuite } from './suites/startup.ts';

const SUITES: readonly Suite[] = [relaySuite, resetSuite, commandsSuite, startupSuite, footprintSuite, herdSuite, soakSuite, kioskSoakSuite, fuzzSuite, hardeningSuite, djangoSuite, djangoRestartSuite];

function parseArgs(argv: readonly string[]): { quick: boolean; readme: boolean; selected: Suite[] } {
  const quick = argv.includes('--quick');
  const readme = argv.includes('--readme');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown suite(s): ${unknown.join(', ')}; choose from ${SUITES.map((s) => s.name).join(' ')}\n`);
    process.exit(2);
  }
  return { quick, readme, selected: names.length === 0 ? [...SUITES] : SUITES.filter((s) => names.includes(s.name)) };
}

async function main(): Promise<void> {
  const { quick, readme, selected } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const startedAt = new Date();
  const log = (message: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);

  if (distIsStale()) {
    log('dist/ is missing or older than the source: npm run build');
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const env = environment();
  log(`environment: ${describeEnvironment(env)}`);
  const ctx: BenchContext = { quick, log };

  const results: SuiteResult[] = [];
  for (const suite of selected) {
    const suiteStarted = performance.now();
    log(`── ${suite.title} (${suite.name})${quick ? ', quick' : ''}`);
    let result: SuiteResult;
    try {
      const outcome = await suite.run(ctx);
      result = { name: suite.name, title: suite.title, seconds: (performance.now() - suiteStarted) / 1000, ...outcome };
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${suite.name} failed: ${message}`);
      result = { name: suite.name, title: suite.title, seconds: (performance.now() - suiteStarted) / 1000, figures: [], details: {}, notes: [], error: message };
    }
    log(`${suite.name} took ${result.seconds.toFixed(1)} s`);
    results.push(result);
  }

  const run: BenchRun = {
    date: startedAt.toISOString(),
    quick,
    suites: results.map((r) => r.name),
    complete: selected.length === SUITES.length,
    seconds: (performance.now() - started) / 1000,
    env,
    results,
  };
  mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
  const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const suffix = quick ? '.quick' : '';
  const partial = run.complete ? '' : `.${run.suites.join('-')}`;
  const file = path.join(BENCH_DIR, 'results', `${stamp}${partial}${suffix}.json`);
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);

  process.stdout.write(`\n## kiosk-shell bench, ${run.date}${quick ? ' (quick)' : ''}\n\n${describeEnvironment(env)}\n\n${markdownTable(results)}\n`);
  const missed = missedNotes(results);
  if (missed.length > 0) process.stdout.write(`\nMissed targets:\n${missed.map((m) => `- ${m}`).join('\n')}\n`);
  process.stdout.write(`\nTook ${(run.seconds / 60).toFixed(1)} min. Results: ${path.relative(REPO_ROOT, file)}\n`);
  if ((run.complete && !quick) || readme) {
    updateReadme(run);
    log('README.md: benchmark table updated');
  }
  // Workers and child processes are gone; nothing should keep the loop alive, but a stray
  // handle in a dependency must not hang `npm run bench`.
  setTimeout(() => process.exit(results.some((r) => r.error !== undefined) ? 1 : 0), 200).unref();
}

await main();
