// A private X server for tests that need a display. Xvfb picks a free display number itself
// (-displayfd) and writes it once it accepts connections, so no test guesses a number that
// another X server may hold, and none starts a client before the server is ready.
import { spawn, type ChildProcess } from 'node:child_process';

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
