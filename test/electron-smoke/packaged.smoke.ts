// npm run test:electron, the packaged app: the fuses build-resources/electron-builder.cjs
// asks for, as this Electron's own binary takes them (flipped on a copy the way
// electron-builder flips a packaged app's) and, given a packaged app
// (ELECTRON_SMOKE_PACKAGED, e.g. out/linux-unpacked/kiosk-shell from
// `electron-builder --linux dir`), as its binary holds them and as it behaves: it starts
// from its app.asar and runs the kiosk, and it cannot be run as a plain Node.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawBuilderConfig, PROJECT_ROOT } from '../packaging/electron-builder.ts';
import { waitFor } from '../support/wait.ts';
import { darkShare, startXvfb, topWindows, type Xvfb } from '../support/xvfb.ts';
import { configuredFuses, flipConfiguredFuses, fuseProblems, readFuseWire, unconfiguredFuses, type FuseWire } from './fuses.ts';
import { electronBinary, Fleet, kioskEnv, kioskLogTail, kioskMachine, packagedBinary, SANDBOX_ARGS, SCREEN, startPackagedApp, type KioskMachine, type PackagedKiosk } from './kit.ts';

const binary = electronBinary();
const packaged = packagedBinary();
const electronVersion = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
const electronFuses = rawBuilderConfig().electronFuses as object;

let scratch: string;
let wanted: Map<number, boolean>;
let stock: FuseWire;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'electron-fuses-'));
  wanted = await configuredFuses(electronFuses);
  stock = await readFuseWire(binary);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe(`the fuses of Electron ${electronVersion}`, () => {
  it('take the config: flipped on a copy as electron-builder flips them, they read back as configured, and nothing else changed', async () => {
    const copy = path.join(scratch, path.basename(binary));
    copyFileSync(binary, copy);
    await flipConfiguredFuses(copy, electronFuses);
    const flipped = await readFuseWire(copy);
    expect(fuseProblems(flipped, wanted, stock)).toEqual([]);
    const left = unconfiguredFuses(flipped, wanted);
    if (left.length > 0) process.stderr.write(`test:electron: fuses the config leaves as Electron ${electronVersion} builds them: ${left.join(', ')}\n`);
  });

  it.skipIf(packaged === undefined)(`read back as configured from the packaged app (${packaged ?? 'set ELECTRON_SMOKE_PACKAGED'})`, async () => {
    const wire = await readFuseWire(packaged!);
    expect(fuseProblems(wire, wanted, stock)).toEqual([]);
  });
});

describe.skipIf(packaged === undefined)('the packaged app', () => {
  let xvfb: Xvfb;
  let fleet: Fleet;
  let machine: KioskMachine;
  let kiosk: PackagedKiosk;

  beforeAll(async () => {
    xvfb = await startXvfb(`${SCREEN.width}x${SCREEN.height}x24`);
    fleet = await Fleet.start();
    machine = kioskMachine(fleet);
    kiosk = startPackagedApp(packaged!, machine, xvfb.display);
    await fleet.hello(1, 90_000).catch((error: unknown) => {
      throw new Error(`the packaged kiosk did not come up: ${String(error)}\n${kiosk.output()}\n${kioskLogTail(machine)}`, { cause: error });
    });
  }, 120_000);

  afterAll(async () => {
    await kiosk?.stop();
    await fleet?.close();
    xvfb?.process.kill();
    machine?.remove();
  });

  it('starts from its app.asar and runs the kiosk: a window over the screen, a reset acknowledged, a screenshot of the page', async () => {
    const resources = path.join(path.dirname(packaged!), 'resources');
    expect(existsSync(path.join(resources, 'app.asar'))).toBe(true);
    expect(existsSync(path.join(resources, 'app'))).toBe(false);
    await waitFor(() => topWindows(xvfb.display).some((w) => w.x <= 0 && w.y <= 0 && w.width >= SCREEN.width - 1 && w.height >= SCREEN.height - 1), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'a window covering the screen',
    });
    // "reloaded" comes once the page shows content again: the page loaded, and its /api worked.
    expect(await fleet.ack(fleet.reset(), 60_000)).toMatchObject({ status: 'reloaded' });
    const shot = fleet.command('screenshot', { args: { maxWidth: 640 } });
    expect(await fleet.ack(shot)).toMatchObject({ status: 'done' });
    const image = jpeg.decode(Buffer.from(String(fleet.frames('kiosk.screenshot', shot)[0]?.data), 'base64'), { useTArray: true });
    expect(image.width).toBeGreaterThan(0);
    expect(darkShare(Uint8Array.from(image.data.filter((_, i) => i % 4 !== 3)))).toBeLessThan(0.9);
  });

  it('cannot be run as a plain Node (RunAsNode off): ELECTRON_RUN_AS_NODE starts the app, which finds the kiosk running and quits', async () => {
    const hellos = fleet.frames('kiosk.hello').length;
    const probe = spawn(packaged!, ['-e', 'process.stdout.write("ran as node")', ...SANDBOX_ARGS], {
      env: { ...kioskEnv(machine, xvfb.display), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    probe.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    probe.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => probe.kill('SIGKILL'), 30_000);
      probe.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(output).not.toContain('ran as node');
    expect(code, output).toBe(0);
    expect(fleet.frames('kiosk.hello')).toHaveLength(hellos);
    expect(kiosk.process.exitCode).toBeNull();
  });
});
