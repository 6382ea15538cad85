// The demo kiosk from one command, as a newcomer runs it: `kiosk-shell` with no config on
// a machine with no Electron binary and no display. It says so in one line each, runs
// the Chromium shell headless on the embedded demo, and `kiosk-shell reset` reloads it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'kiosk', 'cli.ts');

function cleanEnv(stateDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, KIOSK_STATE_DIR: stateDir };
  return env;
}

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

describe('kiosk-shell with no config, no Electron binary and no display', () => {
  it('falls back to headless Chromium on the demo, and a reset reloads it and is acknowledged', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-demo-cmd-'));
    child = spawn(process.execPath, [CLI], { cwd: ROOT, env: cleanEnv(stateDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    await waitFor(() => stdout.includes('\n'), { timeoutMs: 30_000, what: 'the ready line' });
    const ready = JSON.parse(stdout.split('\n')[0] ?? '') as { event: string; url: string; shell: string; headless: boolean };
    expect(ready).toMatchObject({ event: 'ready', shell: 'chromium', headless: true });
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#key=[A-Za-z0-9_-]{43}$/);
    const notices = stderr.split('\n').filter((line) => line.startsWith('kiosk-shell: '));
    expect(notices[0]).toMatch(/Electron binary is not installed.*using the system Chromium/);
    expect(notices[1]).toMatch(/no display.*headless/);

    // The page shows content before the reset, so the reset's reload is a real one.
    await waitFor(() => stderr.includes('"uplink open"'), { timeoutMs: 15_000, what: 'the uplink' });
    await waitFor(() => stderr.includes('"page shows content"'), { timeoutMs: 20_000, what: 'content on the page' });

    const reset = spawn(process.execPath, [CLI, 'reset'], { cwd: ROOT, env: cleanEnv(stateDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let resetOut = '';
    reset.stdout.on('data', (chunk: Buffer) => (resetOut += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => reset.on('exit', resolve));
    expect(code).toBe(0);
    const id = resetOut.trim();
    expect(id).toMatch(/^r-[0-9a-f]{12}$/);

    await waitFor(() => stderr.includes(`"commandId":"${id}","command":"reset","status":"reloaded"`), { timeoutMs: 30_000, what: 'the reload for the reset' });
    await waitFor(() => stderr.includes('demo upstream got an acknowledgement') && stderr.includes(`"id":"${id}"`), {
      timeoutMs: 10_000,
      what: 'the acknowledgement upstream',
    });

    // A command from the command line too: a screenshot, which the demo saves where it says.
    const shot = spawn(process.execPath, [CLI, 'command', 'screenshot', '--arg', 'maxWidth=640'], { cwd: ROOT, env: cleanEnv(stateDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let shotOut = '';
    shot.stdout.on('data', (chunk: Buffer) => (shotOut += chunk.toString()));
    expect(await new Promise<number | null>((resolve) => shot.on('exit', resolve))).toBe(0);
    const shotId = shotOut.trim();
    expect(shotId).toMatch(/^c-[0-9a-f]{12}$/);
    await waitFor(() => stderr.includes('demo upstream saved a screenshot') && stderr.includes(`"commandId":"${shotId}","command":"screenshot","status":"done"`), {
      timeoutMs: 90_000,
      what: 'the screenshot saved',
    });
    const image = jpeg.decode(readFileSync(path.join(stateDir, 'demo-screenshots', `${shotId}.jpg`)), { useTArray: true });
    expect(image.width).toBe(640);

    const started = Date.now();
    child.kill('SIGTERM');
    const exitCode = await new Promise<number | null>((resolve) => child?.on('exit', resolve));
    expect(exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 90_000);

  it('says where the demo is not running when reset finds none', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-demo-none-'));
    const reset = spawn(process.execPath, [CLI, 'reset'], { cwd: ROOT, env: cleanEnv(stateDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    reset.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => reset.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/no demo kiosk is running/);
  });
});
