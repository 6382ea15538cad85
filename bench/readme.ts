// The README's benchmark table, between <!-- bench:start --> and <!-- bench:end -->, from a
// run's JSON. `node bench/readme.ts` rewrites it from the newest complete, full run in
// bench/results/; `npm run bench` calls updateReadme() itself after a complete run.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from './lib/env.ts';
import { BENCH_DIR, REPO_ROOT } from './lib/proc.ts';
import { markdownTable, missedNotes, type SuiteResult } from './lib/report.ts';

export interface BenchRun {
  date: string;
  quick: boolean;
  suites: string[];
  complete: boolean;
  seconds: number;
  env: Environment;
  results: SuiteResult[];
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

export function renderSection(run: BenchRun): string {
  const { env } = run;
  const missed = missedNotes(run.results);
  const lines = [
    `Run of ${run.date.slice(0, 16).replace('T', ' ')} UTC${run.quick ? ' (quick run)' : ''} on **${env.cores} cores** (${env.cpu}, ${env.memoryGiB} GiB, ${env.os}), Node ${env.node}, ${env.chromium}, Django ${env.django} with daphne ${env.daphne}; commit ${env.commit}. The whole run took ${(run.seconds / 60).toFixed(1)} min (\`bench/results/\` has the JSON).`,
    '',
    markdownTable(run.results),
    '',
  ];
  if (missed.length > 0) {
    lines.push('What holds the missed targets back:', '', ...missed.map((m) => `- ${m}`), '');
  }
  const notes = run.results.flatMap((r) => r.notes.map((n) => `${r.title}: ${n}`));
  if (notes.length > 0) lines.push('<details><summary>How each figure was taken</summary>', '', ...notes.map((n) => `- ${n}`), '', '</details>', '');
  return lines.join('\n');
}

export function updateReadme(run: BenchRun): void {
  const file = path.join(REPO_ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} markers`);
  writeFileSync(file, `${text.slice(0, start + START.length)}\n${renderSection(run)}${text.slice(end)}`);
}

/** The newest complete, full run recorded in bench/results/. */
export function latestRun(): BenchRun {
  const dir = path.join(BENCH_DIR, 'results');
  const runs = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as BenchRun);
  const run = runs.find((r) => r.complete && !r.quick);
  if (run === undefined) throw new Error('no complete full run in bench/results/: run `npm run bench` first');
  return run;
}

if (import.meta.main) {
  updateReadme(latestRun());
  process.stdout.write('README.md: benchmark table updated from the newest full run\n');
}
