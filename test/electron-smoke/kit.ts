// The test kit of npm run test:electron: the real Electron binary on the built app (or a
// packaged one), on a private Xvfb screen, against the embedded demo upstream (a pub/sub
// hub and a content API that demand their token), with the fleet's view of the kiosk: the
// frames it sends up and the acks it answers commands with. Shared pieces come from the
// e2e kit (test/support).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { createLogger } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { startDemoUpstream, type DemoUpstream } from '../../kiosk/demo/demo-upstream.ts';
import { findElectronBinary } from '../../kiosk/electron-binary.ts';
import { CHROMIUM_FLAGS } from '../support/e2e.ts';
import { LogCapture } from '../support/kiosk.ts';
import { waitFor } from '../support/wait.ts';
import { PROJECT_ROOT } from '../packaging/electron-builder.ts';

export const SCREEN = { width: 1280, height: 800 } as const;
export const KIOSK_ID = 'smoke-1';
/** The built app, as `kiosk-shell` starts it with the Electron binary. */
export const MAIN = path.join(PROJECT_ROOT, 'dist', 'electron', 'main.js');

/** The binary run.ts found (it exported it), or the one this machine has. */
export function electronBinary(): string {
  const binary = process.env.ELECTRON_SMOKE_BINARY ?? findElectronBinary();
  if (binary === undefined) throw new Error('no Electron binary: run the smoke test with npm run test:electron');
  return binary;
}

/** The packaged app's binary to check as well (e.g. out/linux-unpacked/kiosk-shell), if one is given. */
export function packagedBinary(): string | undefined {
  const given = process.env.ELECTRON_SMOKE_PACKAGED;
  return given ? path.resolve(PROJECT_ROOT, given) : undefined;
}

const asRoot = process.getuid?.() === 0;

/** The fleet's side: the demo upstream, and what one kiosk sent it. */
export class Fleet {
  readonly demo: DemoUpstream;
  readonly log: LogCapture;
  readonly token: string;
  #serial = 0;

  private constructor(demo: DemoUpstream, log: LogCapture, token: string) {
    this.demo = demo;
    this.log = log;
    this.token = token;
  }

  static async start(): Promise<Fleet> {
    const log = new LogCapture();
    const token = `Token smoke-${randomBytes(24).toString('hex')}`;
    const demo = await startDemoUpstream({ logger: createLogger({ destination: log, secrets: new Secrets([token]), level: 'debug' }), kioskToken: token });
    return new Fleet(demo, log, token);
  }

  frames(type: string, id?: string): Record<string, unknown>[] {
    return this.demo.received.filter((m) => m.type === type && m.kiosk === KIOSK_ID && (id === undefined || m.id === id));
  }

  /** Resolves once the kiosk's uplink said hello `count` times (once per uplink open). */
  async hello(count = 1, timeoutMs = 60_000): Promise<void> {
    await waitFor(() => this.frames('kiosk.hello').length >= count, { timeoutMs, intervalMs: 50, what: `kiosk.hello #${count} from the kiosk` });
  }

  /** Publishes a `kiosk.command` for the kiosk; returns its id. */
  command(command: string, extra: Record<string, unknown> = {}): string {
    const id = `smoke-c-${++this.#serial}`;
    this.demo.publish({ type: 'kiosk.command', id, command, target: { kiosks: [KIOSK_ID] }, ...extra });
    return id;
  }

  /** Publishes a `kiosk.reset` for the kiosk; returns its id. */
  reset(): string {
    const id = `smoke-r-${++this.#serial}`;
    this.demo.publish({ type: 'kiosk.reset', id, target: { kiosks: [KIOSK_ID] }, reason: 'electron smoke test' });
    return id;
  }

  /** The one terminal ack of `id` (anything but `accepted`). */
  async ack(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const terminal = () => this.frames('kiosk.ack', id).filter((m) => m.status !== 'accepted');
    await waitFor(() => terminal().length > 0, { timeoutMs, intervalMs: 50, what: `the terminal ack of ${id}` });
    expectOne(terminal(), id);
    return terminal()[0] ?? {};
  }

  close(): Promise<void> {
    return this.demo.close();
  }
}

function expectOne(acks: unknown[], id: string): void {
  if (acks.length !== 1) throw new Error(`${acks.length} terminal acks for ${id}: ${JSON.stringify(acks)}`);
}

/** A machine of the kiosk's own: a home, its config file (mode 600: it holds the tokens), state and log folders. */
export interface KioskMachine {
  dir: string;
  home: string;
  config: string;
  logDir: string;
  remove(): void;
}

export function kioskMachine(fleet: Fleet, overrides: Record<string, unknown> = {}): KioskMachine {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'electron-smoke-'));
  const home = path.join(dir, 'home');
  const logDir = path.join(dir, 'logs');
  mkdirSync(home);
  const config = path.join(dir, 'config.json');
  const { demo, token } = fleet;
  const settings = {
    kioskId: KIOSK_ID,
    groups: ['smoke'],
    upstream: {
      ws: { url: demo.wsUrl, token, reconnectBaseMs: 100, reconnectCapMs: 400 },
      api: { url: demo.apiUrl, token, timeoutSeconds: 3 },
    },
    // In the config, not the environment: a packaged app reads no KIOSK_* variables.
    stateDir: path.join(dir, 'state'),
    log: { dir: logDir },
    reset: { minIntervalSeconds: 0 },
    screenshot: { privacySeconds: 2 },
    ...overrides,
  };
  writeFileSync(config, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return { dir, home, config, logDir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The last lines of the kiosk's own log files, for a failure's report (no token ever reaches them). */
export function kioskLogTail(machine: KioskMachine, lines = 60): string {
  if (!existsSync(machine.logDir)) return '(no log written)';
  return readdirSync(machine.logDir)
    .map((file) => `--- ${file}\n${readFileSync(path.join(machine.logDir, file), 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`)
    .join('\n');
}

/** The environment a kiosk session has: a display, a home of its own, and nothing of the test's. */
export function kioskEnv(machine: KioskMachine, display: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: machine.home,
    DISPLAY: display,
    XDG_CONFIG_HOME: path.join(machine.home, '.config'),
    XDG_STATE_HOME: path.join(machine.home, '.local', 'state'),
    LANG: 'C.UTF-8',
  };
}

/** Chromium refuses to run as root with its sandbox (this project's CI machines run as root). */
export const SANDBOX_ARGS = asRoot ? ['--no-sandbox'] : [];

/** The built app on the Electron binary, as `kiosk-shell` starts it, driven by Playwright (main process and page). */
export async function launchBuiltApp(binary: string, machine: KioskMachine, display: string): Promise<ElectronApplication> {
  return _electron.launch({
    executablePath: binary,
    args: [MAIN, '--config', machine.config, ...CHROMIUM_FLAGS],
    env: kioskEnv(machine, display),
    // Playwright adds --no-sandbox unless told otherwise; the kiosk runs with the sandbox.
    chromiumSandbox: !asRoot,
    timeout: 60_000,
  });
}

export interface PackagedKiosk {
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** The packaged app started as an installed kiosk is (no Playwright: its fuses keep the inspector out). */
export function startPackagedApp(binary: string, machine: KioskMachine, display: string, extraEnv: Record<string, string> = {}, args: readonly string[] = []): PackagedKiosk {
  const child = spawn(binary, ['--config', machine.config, ...CHROMIUM_FLAGS, ...SANDBOX_ARGS, ...args], {
    env: { ...kioskEnv(machine, display), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
