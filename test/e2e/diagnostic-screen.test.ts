// A kiosk whose config is broken shows what is wrong on its screen instead of a blank one,
// and still exits 2 with every problem on stderr when stopped. Runs under a real X server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { startXvfb } from '../support/xvfb.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function chromiumProfiles(): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'kiosk-shell-chromium-'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('a kiosk that cannot start, on a display', () => {
  it('shows the problems in Chromium until stopped, then exits 2', async () => {
    const { display, process: xvfb } = await startXvfb();
    children.push(xvfb);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-diag-'));
    const config = path.join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ kioskId: 'bad id', relay: { maxPayloadByte: 1 } }));
    const before = chromiumProfiles().length;
    const kiosk = spawn(process.execPath, [path.join(ROOT, 'kiosk/cli.ts'), '--shell', 'chromium', '--config', config], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DISPLAY: display, KIOSK_STATE_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(kiosk);
    let stderr = '';
    kiosk.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => stderr.includes('maxPayloadBytes'), { timeoutMs: 15_000, what: 'the problem report' });
    // The browser comes up to show them, and the process stays.
    await waitFor(() => chromiumProfiles().length > before, { timeoutMs: 20_000, intervalMs: 200, what: 'a Chromium window' });
    expect(kiosk.exitCode).toBeNull();
    expect(stderr).toContain('kioskId: the kiosk id must be');
    expect(stderr).toContain('relay.maxPayloadByte: unknown key; did you mean "maxPayloadBytes"?');

    kiosk.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => kiosk.on('exit', resolve));
    expect(code).toBe(2);
    await waitFor(() => chromiumProfiles().length === before, { timeoutMs: 10_000, what: 'Chromium to close' });
  }, 60_000);
});
