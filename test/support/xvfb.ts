// A private X server for tests that need a display. Xvfb picks a free display number itself
// (-displayfd) and writes it once it accepts connections, so no test guesses a number that
// another X server may hold, and none starts a client before the server is ready.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

export interface Xvfb {
  /** For DISPLAY, e.g. ":3". */
  display: string;
  process: ChildProcess;
}

export async function startXvfb(screen = '1280x800x24'): Promise<Xvfb> {
  const child = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', screen, '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready`)));
  });
  return { display, process: child };
}

/** An X screen for the tests of one file: started before the first, stopped after the last. */
export interface XScreen {
  readonly display: string;
  readonly width: number;
  readonly height: number;
  /** The share of the screen's pixels that are (near) black now. */
  darkShare(): Promise<number>;
  /** A person's click at (x, y). */
  click(x: number, y: number): Promise<void>;
}

export function xScreenForThisFile(width = 1280, height = 800): XScreen {
  let xvfb: Xvfb | undefined;
  beforeAll(async () => {
    xvfb = await startXvfb(`${width}x${height}x24`);
  });
  afterAll(() => {
    xvfb?.process.kill();
  });
  const display = () => {
    if (xvfb === undefined) throw new Error('the X screen is not started (use it inside a test)');
    return xvfb.display;
  };
  return {
    get display() {
      return display();
    },
    width,
    height,
    darkShare: async () => darkShare(await grabScreen(display(), width, height)),
    click: (x, y) => clickAt(display(), x, y),
  };
}

/** The whole X screen as it is now (the root window, whatever covers it), as RGB bytes. */
export async function grabScreen(display: string, width: number, height: number): Promise<Buffer> {
  const { stdout } = await run('/usr/bin/import', ['-display', display, '-window', 'root', '-depth', '8', 'rgb:-'], { encoding: 'buffer', maxBuffer: width * height * 3 + 1024 });
  const pixels = stdout as unknown as Buffer;
  if (pixels.length !== width * height * 3) throw new Error(`import gave ${pixels.length} bytes for a ${width}x${height} screen`);
  return pixels;
}

/** Real input on the X screen, as a person's: a click at (x, y), through the X server. */
export async function clickAt(display: string, x: number, y: number): Promise<void> {
  // Not --sync: it waits forever when the pointer is already there.
  await run('xdotool', ['mousemove', String(Math.round(x)), String(Math.round(y)), 'click', '1'], { env: { ...process.env, DISPLAY: display }, timeout: 5000 });
}

/** Real key presses on the X screen, as a person's at a keyboard (xdotool names: F12, ctrl+shift+i). */
export async function pressKeys(display: string, keys: readonly string[]): Promise<void> {
  await run('xdotool', ['key', '--delay', '100', ...keys], { env: { ...process.env, DISPLAY: display }, timeout: 5000 });
}

/** The share of pixels darker than `threshold` (0-255 on every channel) in RGB bytes. */
export function darkShare(rgb: Uint8Array, threshold = 16): number {
  let dark = 0;
  const pixels = rgb.length / 3;
  for (let i = 0; i < rgb.length; i += 3) if ((rgb[i] ?? 0) < threshold && (rgb[i + 1] ?? 0) < threshold && (rgb[i + 2] ?? 0) < threshold) dark++;
  return dark / pixels;
}

/** The mean colour of RGB(A) bytes, `stride` bytes per pixel. */
export function meanColour(bytes: Uint8Array, stride = 3): [number, number, number] {
  const sum = [0, 0, 0];
  const pixels = bytes.length / stride;
  for (let i = 0; i < bytes.length; i += stride) for (let c = 0; c < 3; c++) sum[c]! += bytes[i + c] ?? 0;
  return [sum[0]! / pixels, sum[1]! / pixels, sum[2]! / pixels];
}

/** A top-level X window: what a person sees on a screen with no window manager. */
export interface TopWindow {
  name: string;
  width: number;
  height: number;
  x: number;
  y: number;
}

/** The root window's children, as `xwininfo -root -children` lists them (none if it cannot ask). */
export function topWindows(display: string): TopWindow[] {
  let out: string;
  try {
    out = execFileSync('xwininfo', ['-display', display, '-root', '-children'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return [...out.matchAll(/^\s+0x[0-9a-f]+ "([^"]*)".*?\s(\d+)x(\d+)\+(-?\d+)\+(-?\d+)/gm)].map((m) => ({
    name: m[1] ?? '',
    width: Number(m[2]),
    height: Number(m[3]),
    x: Number(m[4]),
    y: Number(m[5]),
  }));
}
