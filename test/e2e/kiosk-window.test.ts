// The Chromium shell's window covers the screen on a bare X server, with no window manager
// to act on `--kiosk` (how many kiosks run: xinit and the browser, nothing else).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { startXvfb, topWindows } from '../support/xvfb.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('the Chromium shell on a display with no window manager', () => {
  it('covers the whole screen with the kiosk window', async () => {
    const { display, process: xvfb } = await startXvfb();
    children.push(xvfb);
    const kiosk = spawn(process.execPath, [path.join(ROOT, 'kiosk/cli.ts'), '--shell', 'chromium'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DISPLAY: display, KIOSK_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'kiosk-window-')) },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    children.push(kiosk);
    // Chromium keeps an X11 window one pixel short of the screen's size.
    const covering = () => topWindows(display).find((w) => w.name.endsWith('Chromium') && w.x <= 0 && w.y <= 0 && w.width >= 1279 && w.height >= 799);
    const kioskWindow = () => topWindows(display).find((w) => w.name === 'City Hall - Chromium');
    await waitFor(() => kioskWindow() !== undefined, { timeoutMs: 30_000, intervalMs: 200, what: 'the kiosk window' });
    await waitFor(() => covering() !== undefined, { timeoutMs: 5_000, intervalMs: 100, what: `a window covering the screen (have ${JSON.stringify(topWindows(display))})` });
    expect(kioskWindow()).toMatchObject({ x: 0, y: 0 });
    kiosk.kill('SIGTERM');
    await new Promise((resolve) => kiosk.on('exit', resolve));
  }, 60_000);
});
