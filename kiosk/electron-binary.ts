// Finds the Electron binary the way the electron package would, without letting it try
// to download one (requiring 'electron' from Node starts a download when it is missing,
// which fails on machines that cannot reach Electron's download site).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ElectronLookup {
  /** The electron package's folder; by default, the one this project resolves. */
  packageDir?: string | undefined;
  platform?: NodeJS.Platform;
}

/** Where the binary sits in an Electron dist folder on `platform` (what electron's install.js writes to path.txt). */
export function electronPlatformPath(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * The installed binary, or the one in ELECTRON_OVERRIDE_DIST_PATH (a dist folder unpacked
 * by hand where Electron cannot be downloaded: path.txt is missing then, and the name is the
 * platform's, as the electron package's own index.js does).
 */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env, lookup: ElectronLookup = {}): string | undefined {
  const packageDir = lookup.packageDir ?? electronPackageDir();
  if (packageDir === undefined) return undefined;
  const pathFile = path.join(packageDir, 'path.txt');
  const override = env.ELECTRON_OVERRIDE_DIST_PATH || undefined;
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : override === undefined ? undefined : electronPlatformPath(lookup.platform);
  if (name === undefined) return undefined;
  const binary = path.join(override ?? path.join(packageDir, 'dist'), name);
  return existsSync(binary) ? binary : undefined;
}

function electronPackageDir(): string | undefined {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** Whether a window can be shown: on Linux an X or Wayland display must be set. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
