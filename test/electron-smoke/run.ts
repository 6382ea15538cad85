// npm run test:electron: the Electron smoke test (test/electron-smoke/*.smoke.ts) on the
// real Electron binary: the installed electron package's (`npx install-electron` downloads it:
// npm install no longer does), or the one in ELECTRON_OVERRIDE_DIST_PATH. It is not part of npm test: where there is no binary (the
// project's own machines cannot download it), it says so in one line and exits
// EXIT_NOT_RUN, which is neither a pass nor a test failure, so no CI can count it as passing.
// Otherwise it builds the app and runs the smoke files under vitest, with their exit code.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findElectronBinary } from '../../kiosk/electron-binary.ts';

/** The smoke test did not run (no binary, or not on Linux, where it has its X screen). */
export const EXIT_NOT_RUN = 77;

const root = path.resolve(import.meta.dirname, '..', '..');
const say = (line: string) => process.stderr.write(`test:electron: ${line}\n`);

function main(): number {
  const binary = findElectronBinary();
  if (binary === undefined) {
    say('no Electron binary (`npx install-electron` downloads it where Electron can be reached, or set ELECTRON_OVERRIDE_DIST_PATH): the Electron smoke test did not run');
    return EXIT_NOT_RUN;
  }
  if (process.platform !== 'linux') {
    say(`it runs on Linux, with Xvfb (this is ${process.platform}): the Electron smoke test did not run`);
    return EXIT_NOT_RUN;
  }
  say(`Electron at ${binary}`);
  // npm run sets npm_execpath: the same npm builds the app.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const build = spawnSync(npm[0]!, [...npm.slice(1), 'run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) return build.status ?? 1;
  const vitest = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const run = spawnSync(process.execPath, [vitest, 'run', '--config', path.join('test', 'electron-smoke', 'vitest.config.ts'), ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SMOKE_BINARY: binary },
  });
  return run.status ?? 1;
}

if (import.meta.main) process.exitCode = main();
