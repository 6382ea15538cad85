// The reference Django backend (integrations/django/example) for end-to-end tests and the
// bench: a fresh SQLite database per project (or the DATABASE_URL given in extraEnv, e.g.
// from test/support/postgres.ts), an admin user, enrolled kiosks, daphne workers on free
// ports, and redis-server for the multi-worker channel layer. Run with Debian's Python.
// Self-contained: nothing of the kiosk's own code is imported here.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

export const PYTHON = '/usr/bin/python3';
export const DJANGO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'integrations', 'django', 'example');
/** The folder holding kiosk_fleet (what `pip install` installs). */
export const FLEET_DIR = path.dirname(DJANGO_DIR);
export const ADMIN = { username: 'admin', password: `pw-${randomBytes(8).toString('hex')}` };

export interface EnrolledKiosk {
  id: string;
  token: string;
  groups: string[];
}

export interface DjangoProject {
  env: NodeJS.ProcessEnv;
  manage(...args: string[]): Promise<string>;
  /** `manage.py ARGS` printing one JSON object (kiosk_command_status, kiosk_fleet_status). */
  manageJson<T>(...args: string[]): Promise<T>;
  /** Enrols a kiosk and returns its token (the last line `kiosk_enroll` prints). */
  enroll(kioskId: string, groups: string[]): Promise<string>;
  /** Enrols `count` kiosks `PREFIX-0000`... in one Django shell; returns their ids and tokens. */
  enrollFleet(count: number, prefix?: string, groupsOf?: (i: number) => string[]): Promise<EnrolledKiosk[]>;
  /** Sends a command with `manage.py kiosk_command` and returns its id (the last line). */
  command(...args: string[]): Promise<string>;
  startDaphne(extraEnv?: NodeJS.ProcessEnv): Promise<Daphne>;
}

export interface Daphne {
  port: number;
  url: string;
  wsUrl: string;
  apiUrl: string;
  child: ChildProcess;
  /** SIGTERM, and wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  stderr(): string;
}

export interface FleetStatus {
  kiosks: Record<string, { online: boolean; lastSeen: string | null; version: string | null; display: string | null }>;
}

export interface CommandStatus {
  id: string;
  command: string;
  expiresAt: string;
  kiosks: Record<string, { status: string; reason: string | null }>;
}

export const TERMINAL = new Set(['reloaded', 'done', 'ignored', 'failed', 'expired', 'withheld']);

/** A migrated example project on a fresh database, with an admin user. */
export async function prepareDjango(extraEnv: NodeJS.ProcessEnv = {}): Promise<DjangoProject> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-django-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    DATABASE_URL: `sqlite:///${path.join(dir, 'db.sqlite3')}`,
    DJANGO_SECRET_KEY: randomBytes(32).toString('hex'),
    DJANGO_LOG_LEVEL: 'WARNING',
    ...extraEnv,
  };
  const manage = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(PYTHON, ['manage.py', ...args], { cwd: DJANGO_DIR, env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  };
  await manage('migrate', '--no-input', '-v', '0');
  await promisify(execFile)(PYTHON, ['manage.py', 'createsuperuser', '--noinput', '--username', ADMIN.username, '--email', 'admin@example.org'], {
    cwd: DJANGO_DIR,
    env: { ...env, DJANGO_SUPERUSER_PASSWORD: ADMIN.password },
  });
  const lastLine = (out: string) => out.trim().split('\n').at(-1) ?? '';
  return {
    env,
    manage,
    async manageJson<T>(...args: string[]) {
      return JSON.parse(lastLine(await manage(...args))) as T;
    },
    async enroll(kioskId, groups) {
      return lastLine(await manage('kiosk_enroll', kioskId, ...groups.flatMap((g) => ['--group', g])));
    },
    async enrollFleet(count, prefix = 'sim', groupsOf = () => ['fleet']) {
      const groups = Array.from({ length: count }, (_, i) => groupsOf(i).join(','));
      const script = [
        'import json, sys',
        'from kiosk_fleet.models import Kiosk',
        `groups = json.loads(${JSON.stringify(JSON.stringify(groups))})`,
        'kiosks, lines = [], []',
        `for i in range(${count}):`,
        `    k = Kiosk(kiosk_id="${prefix}-%04d" % i, groups=groups[i])`,
        '    lines.append("%s %s %s" % (k.kiosk_id, k.issue_token(), k.groups))',
        '    kiosks.append(k)',
        'Kiosk.objects.bulk_create(kiosks)',
        'print("\\n".join(lines))',
      ].join('\n');
      const out = await manage('shell', '-c', script);
      return out
        .trim()
        .split('\n')
        .map((line) => {
          const [id = '', token = '', g = ''] = line.split(' ');
          return { id, token, groups: g === '' ? [] : g.split(',') };
        });
    },
    async command(...args) {
      return lastLine(await manage('kiosk_command', ...args));
    },
    startDaphne: (more = {}) => startDaphne({ ...env, ...more }),
  };
}

async function startDaphne(env: NodeJS.ProcessEnv): Promise<Daphne> {
  const port = await freePort();
  // daphne as the README says to deploy it: through kiosk_fleet.serve, which gives it the
  // WebSocket frame limit that daphne's own command line cannot set.
  const pythonPath = [FLEET_DIR, env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  const child: ChildProcess = spawn(PYTHON, ['-m', 'kiosk_fleet.serve', '-b', '127.0.0.1', '-p', String(port), 'example.asgi:application'], {
    cwd: DJANGO_DIR,
    env: { ...env, PYTHONPATH: pythonPath },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`daphne exited: ${stderr}`);
      try {
        return (await fetch(`${url}/admin/login/`)).ok;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'daphne' },
  );
  return {
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws/kiosk/`,
    apiUrl: `${url}/api/`,
    child,
    stop: () => stopProcess(child, 'SIGTERM'),
    kill: () => stopProcess(child, 'SIGKILL'),
    stderr: () => stderr,
  };
}

export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = createServer().listen(port, '127.0.0.1');
        // Listening succeeds only while redis has not bound the port yet.
        socket.once('listening', () => socket.close(() => resolve(false)));
        socket.once('error', () => resolve(true));
      }),
    { timeoutMs: 15_000, intervalMs: 50, what: 'redis-server' },
  );
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => stopProcess(child, 'SIGTERM') };
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Logs the test's admin in through the login form and waits for `next` (an admin path). */
export async function logInToAdmin(page: Page, daphne: Pick<Daphne, 'url'>, next = '/admin/kiosk_fleet/kiosk/'): Promise<void> {
  await page.goto(`${daphne.url}/admin/login/?next=${next}`);
  await page.fill('#id_username', ADMIN.username);
  await page.fill('#id_password', ADMIN.password);
  await Promise.all([page.waitForURL((url) => url.pathname === next), page.click('input[type="submit"]')]);
}

/** A headless Debian Chromium for the admin's pages (not a kiosk: none of the kiosk's flags). */
export function launchAdminBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
