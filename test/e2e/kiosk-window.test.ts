// The Chromium shell's window covers the screen on a bare X server, with no window manager
// to act on `--kiosk` (how many kiosks run: xinit and the browser, nothing else).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KEPT_FEATURES } from '../../kiosk/chromium-shell.ts';
import { waitFor } from '../support/wait.ts';
import { startXvfb, topWindows } from '../support/xvfb.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/**
 * The command line of the browser process whose profile lies under `dir`: the Chromium
 * binary itself (not the /usr/bin/chromium wrapper script that execs it), which keeps its
 * arguments NUL-separated (its children rewrite theirs into one string).
 */
function browserCommandLine(dir: string): string[] | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!path.basename(realpathSync(`/proc/${entry}/exe`)).startsWith('chrom')) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((arg) => arg.startsWith(`--user-data-dir=${dir}${path.sep}`)) && !args.some((arg) => arg.startsWith('--type='))) return args;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return undefined;
}

describe('the Chromium shell\'s command line', () => {
  it('keeps every feature playwright-core turns off, off (Chromium reads only the last --disable-features)', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'kiosk-flags-'));
    const state = mkdtempSync(path.join(os.tmpdir(), 'kiosk-flags-state-'));
    try {
      const kiosk = spawn(process.execPath, [path.join(ROOT, 'kiosk/cli.ts'), '--shell', 'chromium', '--headless'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp, KIOSK_STATE_DIR: state },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      children.push(kiosk);
      let args: string[] | undefined;
      await waitFor(() => (args = browserCommandLine(tmp)) !== undefined, { timeoutMs: 30_000, intervalMs: 100, what: 'the kiosk\'s Chromium' });
      const lists = args!.filter((arg) => arg.startsWith('--disable-features=')).map((arg) => arg.slice('--disable-features='.length).split(','));
      // Chromium uses the last one; playwright's own is the one that turns off its network-time queries.
      const effective = lists[lists.length - 1]!;
      const playwrights = lists.find((list) => list !== effective && list.includes('NetworkTimeServiceQuerying'));
      expect(playwrights).toBeDefined();
      expect(playwrights!.filter((feature) => !effective.includes(feature))).toEqual(KEPT_FEATURES);
      expect(effective).toContain('Translate');
      expect(args).toContain('--optimization-guide-performance-class=8');
      kiosk.kill('SIGTERM');
      await new Promise((resolve) => kiosk.on('exit', resolve));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
    }
  }, 60_000);
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
