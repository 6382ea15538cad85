// Builds the page SDK (sdk/index.ts) into dist/sdk: sdk.js, the ES module every kiosk serves
// at /kiosk-shell/sdk.js, and its types in one file, served beside it as
// /kiosk-shell/sdk.d.ts, so a site's developers get the SDK and its types from the kiosk
// itself. The types are kept as sdk.d.ts.txt: electron-builder leaves every *.d.ts out of
// an app, and these are data the kiosk serves, not a source of its own.
import { renameSync } from 'node:fs';
import path from 'node:path';
import { build } from 'rolldown';
import { dts } from 'rolldown-plugin-dts';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'dist/sdk');

await build({
  cwd: root,
  input: { sdk: path.join(root, 'sdk/index.ts') },
  platform: 'browser',
  logLevel: 'warn',
  plugins: [dts({ tsconfig: path.join(root, 'tsconfig.sdk.json') })],
  output: { dir: outDir, format: 'esm', minify: true, cleanDir: true, entryFileNames: '[name].js' },
});
renameSync(path.join(outDir, 'sdk.d.ts'), path.join(outDir, 'sdk.d.ts.txt'));
