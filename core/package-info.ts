// Where the product is installed and which version it is. Found by walking up from this
// file to kiosk-shell's package.json, which works the same from the source tree, from
// dist/ and from inside a packaged app.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackage(): { root: string; version: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'kiosk-shell') return { root: dir, version: pkg.version ?? '0.0.0' };
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('kiosk-shell: cannot find its own package.json');
    dir = parent;
  }
}

const found = findPackage();

export const PACKAGE_ROOT = found.root;
export const VERSION = found.version;
/** The built kiosk UI (vite build output). */
export const RENDERER_DIR = path.join(PACKAGE_ROOT, 'dist', 'renderer');
/** The built page SDK (sdk.js and sdk.d.ts), served to every page at /kiosk-shell/. */
export const SDK_DIR = path.join(PACKAGE_ROOT, 'dist', 'sdk');
