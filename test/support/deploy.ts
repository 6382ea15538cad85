// The reference deployment's files (integrations/django/deploy/) read as systemd would read
// them, for the deployment test and the bench: the worker unit's ExecStart and
// WorkingDirectory (its %i being the port, /opt/kiosk-fleet this checkout's
// integrations/django), its Environment= lines, and the env file example.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { REPO_ROOT } from './cli.ts';
import { waitFor } from './wait.ts';

export const DEPLOY_DIR = path.join(REPO_ROOT, 'integrations', 'django', 'deploy');
/** What a deployment copies to /opt/kiosk-fleet: the app and the example project. */
export const INSTALLED_DIR = path.join(REPO_ROOT, 'integrations', 'django');
export const UNIT_FILE = path.join(DEPLOY_DIR, 'kiosk-fleet@.service');
export const ENV_EXAMPLE = path.join(DEPLOY_DIR, 'kiosk-fleet.env.example');

/** `text` with `from` replaced by `to`, exactly `times` times (a drifted file fails here, not later). */
export function substitute(text: string, from: string, to: string, times: number): string {
  const found = text.split(from).length - 1;
  if (found !== times) throw new Error(`expected ${times} of ${JSON.stringify(from)}, found ${found}`);
  return text.split(from).join(to);
}

/** KEY=value lines (systemd EnvironmentFile= and sh alike: no quotes, no spaces). */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(line);
    if (match === null) throw new Error(`not KEY=value without quotes or spaces: ${line}`);
    vars[match[1] ?? ''] = match[2] ?? '';
  }
  return vars;
}

export interface ServiceSettings {
  /** ExecStart split into words, %i still in place. */
  execStart: string[];
  workingDirectory: string;
  environment: Record<string, string>;
}

/** The unit's [Service] settings that start a worker (Environment= lines merged). */
export function serviceSettings(unit = readFileSync(UNIT_FILE, 'utf8')): ServiceSettings {
  const values = (key: string) =>
    unit
      .split('\n')
      .filter((l) => l.startsWith(`${key}=`))
      .map((l) => l.slice(key.length + 1));
  const [execStart, ...more] = values('ExecStart');
  if (execStart === undefined || more.length > 0 || /["'\\]/.test(execStart)) throw new Error('one ExecStart, without quoting, is expected');
  const environment: Record<string, string> = {};
  for (const assignment of values('Environment')) {
    const [key = '', ...rest] = assignment.split('=');
    environment[key] = rest.join('=');
  }
  return { execStart: execStart.split(/\s+/), workingDirectory: values('WorkingDirectory')[0] ?? '', environment };
}

/** The unit's Environment= values with /opt/kiosk-fleet (where the README installs it) read as this checkout. */
export function installedEnvironment(settings: ServiceSettings): Record<string, string> {
  return Object.fromEntries(Object.entries(settings.environment).map(([key, value]) => [key, value.replaceAll('/opt/kiosk-fleet', INSTALLED_DIR)]));
}

export interface UnitWorker {
  port: number;
  child: ChildProcess;
  /** stdout and stderr so far (the last 200 kB). */
  output: () => string;
  /** SIGTERM (systemd's KillSignal), and wait for the exit (SIGKILL after 20 s, its TimeoutStopSec). */
  stop: () => Promise<void>;
}

/** Starts kiosk-fleet@PORT as systemd would: the unit's ExecStart in its WorkingDirectory, with `env`. */
export function spawnUnitWorker(port: number, env: NodeJS.ProcessEnv, settings = serviceSettings()): UnitWorker {
  const [program = '', ...args] = settings.execStart.map((word) => word.replaceAll('%i', String(port)));
  const cwd = substitute(settings.workingDirectory, '/opt/kiosk-fleet', INSTALLED_DIR, 1);
  const child = spawn(program, args, { cwd, env: { ...installedEnvironment(settings), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const add = (chunk: Buffer) => (out = (out + chunk.toString()).slice(-200_000));
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  return {
    port,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once the worker answers HTTP at all (a redirect to HTTPS counts). */
export async function untilAnswering(worker: UnitWorker, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () => {
      if (worker.child.exitCode !== null) throw new Error(`worker ${worker.port} exited: ${worker.output()}`);
      return new Promise<boolean>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: worker.port, path: '/admin/login/', agent: false }, (res) => {
          res.resume();
          resolve(true);
        });
        req.once('error', () => resolve(false));
      });
    },
    { timeoutMs, intervalMs: 100, what: `worker ${worker.port}` },
  );
}
