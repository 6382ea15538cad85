// The installed command (bin/kiosk-shell.js) runs the bundled CLI in dist/cli, which the
// build makes from the compiled sources: it must behave as the sources do.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KIOSK_NODE_FLAGS } from '../../kiosk/node-flags.ts';
import { cleanEnv, REPO_ROOT } from '../support/cli.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'kiosk-shell.js');

describe('bin/kiosk-shell.js', () => {
  it('is built (npm run build bundles the CLI into dist/cli)', () => {
    expect(existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'cli.js'))).toBe(true);
  });

  it('serves the demo kiosk: one ready line, and a clean stop on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: os.tmpdir(),
      env: cleanEnv({ KIOSK_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'kiosk-bin-')) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => stdout.includes('\n') && resolve());
      child.once('exit', (code) => reject(new Error(`exited ${code} before the ready line`)));
    });
    expect(stdout).toMatch(/^\{"event":"ready","url":"http:\/\/127\.0\.0\.1:\d+\/#key=[A-Za-z0-9_-]{43}"\}\n$/);
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });

  it('runs under its own shebang, with the Node flags every other launch of the kiosk uses', async () => {
    const shebang = readFileSync(BIN, 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${KIOSK_NODE_FLAGS.join(' ')}`);
    // Executed as a program (the shebang, not `node bin/...`), as /usr/bin/kiosk-shell is.
    const child = spawn(BIN, ['--version'], { env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is started with the same Node flags by every npm script that runs it', () => {
    const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const launches = Object.values(scripts).flatMap((script) => script.match(/node [^&|;]*bin\/kiosk-shell\.js/g) ?? []);
    expect(launches.length).toBeGreaterThan(0);
    for (const launch of launches) expect(launch).toBe(`node ${KIOSK_NODE_FLAGS.join(' ')} bin/kiosk-shell.js`);
  });

  it('answers --version without starting anything', async () => {
    const child = spawn(process.execPath, [BIN, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
