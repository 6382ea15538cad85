// Bundles the compiled CLI (dist/kiosk/cli.js and the commands it imports lazily) into
// dist/cli: one file to load instead of hundreds of modules, which is most of what
// `kiosk-shell serve` spends before it is ready. Electron is the runtime's own, and the
// browser driver is loaded only by the Chromium shell, from node_modules.
// Run through rolldown's API rather than its CLI, which prints a table of every chunk
// into `npm start`'s output.
import path from 'node:path';
import { build } from 'rolldown';

const root = path.resolve(import.meta.dirname, '..');

await build({
  cwd: root,
  input: path.join(root, 'dist/kiosk/cli.js'),
  platform: 'node',
  logLevel: 'warn',
  external: (id) => id === 'electron' || id === 'playwright-core' || id.startsWith('playwright-core/'),
  // cleanDir: chunk names carry content hashes, so a rebuild must not leave the old ones
  // beside the new (they would ride into the packaged asar).
  output: { dir: path.join(root, 'dist/cli'), format: 'esm', cleanDir: true },
});

// The preload: a sandboxed preload may require only 'electron', so the page agent it runs
// (sdk/page-agent.ts) is bundled into the one CommonJS file Electron loads. Built from
// the compiled output, which tsc wrote as preload.cjs beside its import of the agent.
await build({
  cwd: root,
  input: path.join(root, 'dist/electron/preload.cjs'),
  platform: 'browser',
  logLevel: 'warn',
  external: ['electron'],
  output: { file: path.join(root, 'dist/electron/preload.cjs'), format: 'cjs' },
});
