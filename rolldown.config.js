// Bundles the compiled CLI (dist/kiosk/cli.js and the commands it imports lazily) into
// dist/cli: one file to load instead of hundreds of modules, which is most of what
// `kiosk-shell serve` spends before it is ready. Electron is the runtime's own, and the
// browser driver is loaded only by the Chromium shell, from node_modules.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'dist/kiosk/cli.js',
  platform: 'node',
  external: (id) => id === 'electron' || id === 'playwright-core' || id.startsWith('playwright-core/'),
  // cleanDir: chunk names carry content hashes, so a rebuild must not leave the old ones
  // beside the new (they would ride into the packaged asar).
  output: { dir: 'dist/cli', format: 'esm', cleanDir: true },
});
