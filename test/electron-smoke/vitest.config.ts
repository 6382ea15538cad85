// The Electron smoke test's own vitest run (npm run test:electron starts it through run.ts,
// which finds the binary first). Its files end in .smoke.ts, so npm test never picks them up.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '..', '..'),
    include: ['test/electron-smoke/**/*.smoke.ts'],
    pool: 'forks',
    // One kiosk at a time: each owns an X screen, a fleet and an Electron.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
