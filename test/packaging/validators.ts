// The freedesktop and systemd validators, run on text the product writes. Both come from
// Debian packages (desktop-file-utils, systemd) that `scripts/setup.sh --test` installs.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Verdict {
  ok: boolean;
  /** Everything the validator said about the file. */
  output: string;
}

function requireTool(name: string, debianPackage: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${name} is missing: install Debian's ${debianPackage} package (scripts/setup.sh --test does)`);
}

export function scratchDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `kiosk-${label}-`));
}

/** desktop-file-validate: exit 0 and no error or warning. */
export function validateDesktopEntry(text: string, fileName: string): Verdict {
  requireTool('desktop-file-validate', 'desktop-file-utils');
  const file = path.join(scratchDir('desktop'), fileName);
  writeFileSync(file, text);
  const result = spawnSync('desktop-file-validate', [file], { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`.trim();
  return { ok: result.status === 0 && !/\b(error|warning):/.test(output), output };
}

/**
 * `systemd-analyze verify` on a user unit. It is run for the user manager with a private
 * runtime directory; where a user manager cannot be set up at all (some containers), the
 * system manager's checks are used instead (the same unit-file parser). A unit passes when
 * the command succeeds and says nothing about it (unknown keys and bad values are only
 * warnings, so the exit code alone proves little).
 */
export function verifyUserUnit(text: string, fileName: string): Verdict {
  requireTool('systemd-analyze', 'systemd');
  const dir = scratchDir('unit');
  const file = path.join(dir, fileName);
  writeFileSync(file, text);
  const runtime = path.join(dir, 'runtime');
  mkdirSync(runtime);
  chmodSync(runtime, 0o700);
  const env = { ...process.env, XDG_RUNTIME_DIR: runtime, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: '' };
  let result = spawnSync('systemd-analyze', ['verify', '--user', file], { encoding: 'utf8', env, cwd: dir });
  if (result.status !== 0 && /Failed to (initialize manager|lookup RuntimeDirectory|determine)/.test(result.stderr)) {
    result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', env, cwd: dir });
  }
  const output = `${result.stdout}${result.stderr}`.trim();
  const aboutUnit = output.split('\n').filter((line) => line.includes(fileName));
  return { ok: result.status === 0 && aboutUnit.length === 0, output };
}

/** An executable file (a stand-in for the installed app) for ExecStart to point at. */
export function fakeProgram(dir: string, name: string): string {
  const program = path.join(dir, name);
  mkdirSync(path.dirname(program), { recursive: true });
  writeFileSync(program, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return program;
}
