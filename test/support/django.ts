// The reference Django backend (integrations/django/example) for end-to-end tests: a fresh
// SQLite database per test file, an admin user, enrolled kiosks, daphne workers on free
// ports, and redis-server for the multi-worker channel layer. Run with Debian's Python.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HeadlessShell } from '../../kiosk/headless-shell.ts';
import { Kiosk } from '../../kiosk/kiosk.ts';
import { loadConfig } from '../../core/config/load.ts';
import type { RuntimeConfig } from '../../core/config/schema.ts';
import { startKioskServer, type KioskServer } from '../../server/kiosk-server.ts';
import { createLogger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { FIXTURE_RENDERER, LogCapture, serverHooks } from './kiosk.ts';
import { SimulatedPage } from './page-sim.ts';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

export const PYTHON = '/usr/bin/python3';
export const DJANGO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'integrations', 'django', 'example');
export const ADMIN = { username: 'admin', password: `pw-${randomBytes(8).toString('hex')}` };

export interface DjangoProject {
  env: NodeJS.ProcessEnv;
  manage(...args: string[]): Promise<string>;
  /** Enrols a kiosk and returns its token (the last line `kiosk_enroll` prints). */
  enroll(kioskId: string, groups: string[]): Promise<string>;
  startDaphne(extraEnv?: NodeJS.ProcessEnv): Promise<Daphne>;
}

export interface Daphne {
  port: number;
  url: string;
  wsUrl: string;
  apiUrl: string;
  stop(): Promise<void>;
}

/** A migrated example project on a fresh database, with an admin user. */
export async function prepareDjango(extraEnv: NodeJS.ProcessEnv = {}): Promise<DjangoProject> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-django-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    DJANGO_DB_PATH: path.join(dir, 'db.sqlite3'),
    DJANGO_SECRET_KEY: randomBytes(32).toString('hex'),
    DJANGO_LOG_LEVEL: 'WARNING',
    ...extraEnv,
  };
  const manage = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(PYTHON, ['manage.py', ...args], { cwd: DJANGO_DIR, env, timeout: 60_000 });
    return stdout;
  };
  await manage('migrate', '--no-input', '-v', '0');
  await promisify(execFile)(PYTHON, ['manage.py', 'createsuperuser', '--noinput', '--username', ADMIN.username, '--email', 'admin@example.org'], {
    cwd: DJANGO_DIR,
    env: { ...env, DJANGO_SUPERUSER_PASSWORD: ADMIN.password },
  });
  return {
    env,
    manage,
    async enroll(kioskId, groups) {
      const out = await manage('kiosk_enroll', kioskId, ...groups.flatMap((g) => ['--group', g]));
      return out.trim().split('\n').at(-1) ?? '';
    },
    startDaphne: (more = {}) => startDaphne({ ...env, ...more }),
  };
}

async function startDaphne(env: NodeJS.ProcessEnv): Promise<Daphne> {
  const port = await freePort();
  const child: ChildProcess = spawn(PYTHON, ['-m', 'daphne', '-b', '127.0.0.1', '-p', String(port), 'example.asgi:application'], {
    cwd: DJANGO_DIR,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
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
    stop: () => stopProcess(child),
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
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => stopProcess(child) };
}

/** One of our kiosks (server, uplink, kiosk side) with a simulated page, on a Django upstream. */
export interface FleetKiosk {
  id: string;
  server: KioskServer;
  kiosk: Kiosk;
  page: SimulatedPage;
  log: LogCapture;
  close(): Promise<void>;
}

export async function startFleetKiosk(daphne: Daphne, id: string, token: string, groups: string[] = []): Promise<FleetKiosk> {
  const log = new LogCapture();
  const header = `Token ${token}`;
  const logger = createLogger({ destination: log, secrets: new Secrets([header]) });
  const { config } = loadConfig({
    env: {},
    cli: {
      kioskId: id,
      groups,
      upstream: {
        ws: { url: daphne.wsUrl, token: header, reconnectBaseMs: 100, reconnectCapMs: 500 },
        api: { url: daphne.apiUrl, token: header },
      },
      reset: { minIntervalSeconds: 0 },
    },
  });
  if (config.upstream === undefined) throw new Error('unreachable');
  const runtimeConfig: RuntimeConfig = { ...config, upstream: config.upstream };
  const server = await startKioskServer({ ...serverHooks(runtimeConfig, '0.0.0-fleet'), config: runtimeConfig, version: '0.0.0-fleet', logger, rendererDir: FIXTURE_RENDERER });
  const kiosk = new Kiosk({ relay: server.relay, shell: new HeadlessShell(server.relay.pages), config: runtimeConfig, version: '0.0.0-fleet', logger, stateDir: undefined });
  kiosk.start();
  const page = new SimulatedPage(server);
  await page.load();
  return {
    id,
    server,
    kiosk,
    page,
    log,
    async close() {
      kiosk.stop();
      page.close();
      await server.close();
    },
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
