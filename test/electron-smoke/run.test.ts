// npm run test:electron where there is no Electron binary (as on the project's machines):
// one line that says so and a code of its own, never a pass; and npm test never runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../packaging/electron-builder.ts';
import { EXIT_NOT_RUN } from './run.ts';

const RUN = path.join(PROJECT_ROOT, 'test', 'electron-smoke', 'run.ts');

describe('npm run test:electron without the Electron binary', () => {
  it('says so in one line and exits with its own code, neither 0 nor 1', () => {
    // An empty dist folder: no binary, whatever this machine has installed.
    const empty = mkdtempSync(path.join(os.tmpdir(), 'no-electron-'));
    try {
      const result = spawnSync(process.execPath, [RUN], { encoding: 'utf8', env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty }, timeout: 20_000 });
      expect(EXIT_NOT_RUN).not.toBe(0);
      expect(EXIT_NOT_RUN).not.toBe(1);
      expect(result.status).toBe(EXIT_NOT_RUN);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('test:electron: no Electron binary (`npx install-electron` downloads it where Electron can be reached, or set ELECTRON_OVERRIDE_DIST_PATH): the Electron smoke test did not run\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('is not part of npm test: its checks are .smoke.ts files that only its own vitest config runs', () => {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).not.toContain('test:electron');
    expect(readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8')).not.toContain('test:electron');
    const files = readdirSync(path.join(PROJECT_ROOT, 'test', 'electron-smoke'));
    expect(files.filter((file) => file.endsWith('.smoke.ts')).sort()).toEqual(['kiosk.smoke.ts', 'packaged.smoke.ts']);
    // npm test's vitest takes test/**/*.test.ts only.
    const config = readFileSync(path.join(PROJECT_ROOT, 'vitest.config.ts'), 'utf8');
    expect([...config.matchAll(/include: \[([^\]]*)\]/g)].map((m) => m[1])).toEqual(["'test/**/*.test.ts'", "'test/electron/**/*.test.ts'"]);
  });
});
