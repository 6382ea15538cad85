// Where the kiosk (and npm run test:electron) finds the Electron binary: the installed
// package's, or a dist folder named by ELECTRON_OVERRIDE_DIST_PATH, also when npm could not
// download the binary and so wrote no path.txt.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronPlatformPath, findElectronBinary } from '../../kiosk/electron-binary.ts';

let root: string;
let packageDir: string;
let dist: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'electron-binary-'));
  packageDir = path.join(root, 'node_modules', 'electron');
  dist = path.join(root, 'by-hand');
  mkdirSync(path.join(packageDir, 'dist'), { recursive: true });
  mkdirSync(dist);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('findElectronBinary', () => {
  it('finds the binary npm downloaded, as path.txt names it', () => {
    writeFileSync(path.join(packageDir, 'path.txt'), 'electron');
    writeFileSync(path.join(packageDir, 'dist', 'electron'), '');
    expect(findElectronBinary({}, { packageDir })).toBe(path.join(packageDir, 'dist', 'electron'));
  });

  it('finds nothing when the binary was never downloaded', () => {
    expect(findElectronBinary({}, { packageDir })).toBeUndefined();
    writeFileSync(path.join(packageDir, 'path.txt'), 'electron');
    expect(findElectronBinary({}, { packageDir })).toBeUndefined();
  });

  it('finds the binary in ELECTRON_OVERRIDE_DIST_PATH, with or without path.txt', () => {
    const env = { ELECTRON_OVERRIDE_DIST_PATH: dist };
    expect(findElectronBinary(env, { packageDir, platform: 'linux' })).toBeUndefined();
    writeFileSync(path.join(dist, 'electron'), '');
    expect(findElectronBinary(env, { packageDir, platform: 'linux' })).toBe(path.join(dist, 'electron'));
    writeFileSync(path.join(packageDir, 'path.txt'), 'electron\n');
    expect(findElectronBinary(env, { packageDir, platform: 'linux' })).toBe(path.join(dist, 'electron'));
  });

  it('names the binary as electron\'s install.js does on each platform', () => {
    expect(electronPlatformPath('linux')).toBe('electron');
    expect(electronPlatformPath('win32')).toBe('electron.exe');
    expect(electronPlatformPath('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
    mkdirSync(path.join(dist, 'Electron.app', 'Contents', 'MacOS'), { recursive: true });
    writeFileSync(path.join(dist, 'Electron.app', 'Contents', 'MacOS', 'Electron'), '');
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist }, { packageDir, platform: 'darwin' })).toBe(path.join(dist, 'Electron.app', 'Contents', 'MacOS', 'Electron'));
  });
});
