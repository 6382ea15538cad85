// The GitHub Actions workflow: actionlint passes it (npm run lint runs the same check, so
// npm test fails on a broken workflow), a broken copy fails, and it runs what the README
// and .ci/run say, on the Node of .nvmrc, building every installer the config names.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintWorkflow, lintWorkflowFiles, workflowFiles, WORKFLOW_DIR } from '../../scripts/workflow-lint.ts';
import { PROJECT_ROOT, rawBuilderConfig } from '../packaging/electron-builder.ts';

const WORKFLOW = path.join(WORKFLOW_DIR, 'ci.yml');
const text = readFileSync(WORKFLOW, 'utf8');
const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  container?: { image: string };
  env?: Record<string, string>;
  strategy?: { matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
}
const workflow = parse(text) as { jobs: Record<string, Job> };
const jobs = workflow.jobs;
const allSteps = Object.values(jobs).flatMap((job) => job.steps);
const runs = (job: Job) => job.steps.flatMap((step) => (step.run === undefined ? [] : [step.run.trim()]));

const scratch = mkdtempSync(path.join(os.tmpdir(), 'workflow-lint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The workflow with `from` replaced by `to` once, which must change it. */
function broken(from: string | RegExp, to: string): string {
  const copy = text.replace(from, to);
  expect(copy, `${String(from)} is in the workflow`).not.toBe(text);
  return copy;
}

describe('the CI workflow, linted by actionlint', () => {
  it('has no problem actionlint can find', async () => {
    expect(workflowFiles()).toContain(WORKFLOW);
    expect(await lintWorkflowFiles(workflowFiles())).toEqual([]);
  });

  it.each([
    ['a misspelt job key', /^ {4}runs-on: ubuntu-24\.04$/m, '    run-on: ubuntu-24.04', 'syntax-check', /unexpected key "run-on" for "job" section/],
    ['a misspelt step key', '      - uses: actions/checkout@v5', '      - use: actions/checkout@v5', 'syntax-check', /unexpected key "use" for "step" section/],
    ['a misspelt top-level key', /^jobs:$/m, 'job:', 'syntax-check', /unexpected key "job" for "workflow" section|"jobs" section is missing/],
    ['a misspelt input of an action', 'node-version-file: .nvmrc', 'node-version-fil: .nvmrc', 'action', /input "node-version-fil" is not defined in action "actions\/setup-node"/],
    ['a matrix value that does not exist', 'run: ${{ matrix.build }}', 'run: ${{ matrix.buld }}', 'expression', /property "buld" is not defined/],
    ['an unknown runner', 'runs-on: ubuntu-24.04', 'runs-on: ubuntu-42.04', 'runner-label', /label "ubuntu-42\.04" is unknown/],
  ])('finds %s', async (_what, from, to, kind, message) => {
    const problems = await lintWorkflow(broken(from, to), 'ci.yml');
    expect(problems.some((problem) => problem.kind === kind && message.test(problem.message)), JSON.stringify(problems, null, 2)).toBe(true);
  });

  it('fails `npm run lint` on a broken copy, naming the file and line', () => {
    // npm run lint (run by npm test) is ESLint, then this very command on every workflow.
    expect(pkg.scripts.lint).toMatch(/&& node scripts\/workflow-lint\.ts$/);
    expect(pkg.scripts.test).toMatch(/\bnpm run lint\b/);
    const file = path.join(scratch, 'ci.yml');
    writeFileSync(file, broken('timeout-minutes: 30', 'timeout-minute: 30'));
    const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'workflow-lint.ts'), file], { encoding: 'utf8', cwd: scratch });
    expect(result.status).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('timeout-minutes: 30')) + 1;
    expect(result.stderr).toContain(`ci.yml:${line}:5: unexpected key "timeout-minute" for "job" section`);

    const clean = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'workflow-lint.ts'), WORKFLOW], { encoding: 'utf8' });
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
  });
});

describe('the CI workflow, as the project describes it', () => {
  it('runs the README\'s test command as .ci/run does, on the Debian .ci/run runs on, without the Electron binary', () => {
    const command = './scripts/setup.sh --test && ./scripts/npm test';
    expect(readme).toContain(command);
    expect(runs(jobs.test!)).toContain(command);
    const ci = readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^scripts\/setup\.sh --test\nscripts\/npm test$/m);
    expect(jobs.test!['runs-on']).toMatch(/^ubuntu-/);
    expect(jobs.test!.container?.image).toBe('debian:bookworm');
    // No step downloads the Electron binary there (npm ci does not): npm test runs without it.
    expect(runs(jobs.test!).join('\n')).not.toContain('install-electron');
  });

  it('uses the Node of .nvmrc in every job', () => {
    const setups = allSteps.filter((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setups).toHaveLength(Object.values(jobs).length);
    for (const step of setups) expect(step.with).toMatchObject({ 'node-version-file': '.nvmrc' });
    for (const step of setups) expect(step.with).not.toHaveProperty('node-version');
    expect(readFileSync(path.join(PROJECT_ROOT, '.nvmrc'), 'utf8').trim()).toMatch(/^\d+$/);
  });

  it('runs npm run test:electron on Ubuntu with Xvfb, and on the packaged app', () => {
    const electron = jobs.electron!;
    expect(electron['runs-on']).toMatch(/^ubuntu-/);
    expect(pkg.scripts['test:electron']).toBe('node test/electron-smoke/run.ts');
    const smoke = electron.steps.find((step) => step.run?.trim() === 'npm run test:electron');
    expect(smoke?.env?.ELECTRON_SMOKE_PACKAGED).toBe('out/linux-unpacked/kiosk-shell');
    const commands = runs(electron).join('\n');
    expect(commands).toMatch(/apt-get install [^\n]*\bxvfb\b[^\n]*\bxdotool\b/);
    expect(commands).toContain('npx electron-builder --config build-resources/electron-builder.cjs --linux dir --publish never');
    // npm ci does not download the binary (Electron 42 and later): the job asks for it, before the test.
    const install = commands.indexOf('npm ci && npx --no install-electron');
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(commands.indexOf('npm run test:electron'));
  });

  it('builds every installer the config names with the README\'s command, on its own OS, and uploads them', () => {
    const config = rawBuilderConfig() as Record<'linux' | 'win' | 'mac', { target: string[] }>;
    const include = jobs.installers!.strategy!.matrix.include;
    const os = { linux: /^ubuntu-/, win: /^windows-/, mac: /^macos-/ };
    const extensions: Record<string, string> = { AppImage: 'AppImage', deb: 'deb', rpm: 'rpm', nsis: 'exe', msi: 'msi', dmg: 'dmg' };
    const upload = jobs.installers!.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.['if-no-files-found']).toBe('error');
    const uploaded = String(upload?.with?.path).split('\n').filter(Boolean);
    for (const platform of ['linux', 'win', 'mac'] as const) {
      const command = `npm ci && npm run build && npx electron-builder --config build-resources/electron-builder.cjs --${platform} ${config[platform].target.join(' ')} --publish never`;
      const entry = include.find((row) => row.build === command);
      expect(entry, command).toBeDefined();
      expect(readme).toContain(command);
      expect(entry?.os).toMatch(os[platform]);
      for (const target of config[platform].target) expect(uploaded).toContain(`out/*.${extensions[target]}`);
    }
    expect(include).toHaveLength(3);
    expect(jobs.installers!.steps.some((step) => step.run === '${{ matrix.build }}')).toBe(true);
  });
});
