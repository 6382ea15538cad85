// The machine and the software a run measured, printed with every result: figures from a
// 2-core shared box and from a workstation are not comparable, their ratios mostly are.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { REPO_ROOT } from './proc.ts';

export interface Environment {
  cores: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  chromium: string;
  playwright: string;
  django: string;
  daphne: string;
  commit: string;
  loadAverage: number[];
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
  } catch {
    return 'unavailable';
  }
}

function osName(): string {
  if (!existsSync('/etc/os-release')) return `${os.type()} ${os.release()}`;
  const match = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
  return match?.[1] ?? os.type();
}

export function environment(): Environment {
  const playwright = JSON.parse(readFileSync(`${REPO_ROOT}/node_modules/playwright-core/package.json`, 'utf8')) as { version: string };
  const dirty = run('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'server', 'kiosk', 'renderer']) !== '';
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName(),
    kernel: os.release(),
    node: process.version,
    chromium: run('/usr/bin/chromium', ['--version']).split('\n').at(-1) ?? 'unavailable',
    playwright: playwright.version,
    django: run('/usr/bin/python3', ['-c', 'import django; print(django.get_version())']),
    daphne: run('/usr/bin/python3', ['-c', 'import daphne; print(daphne.__version__)']),
    commit: run('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']) + (dirty ? '+local changes' : ''),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function describeEnvironment(env: Environment): string {
  return `${env.cores} cores (${env.cpu}), ${env.memoryGiB} GiB, ${env.os}, Node ${env.node}, ${env.chromium}, Django ${env.django}, daphne ${env.daphne}, commit ${env.commit}, load average ${env.loadAverage.join(' ')} at start`;
}
