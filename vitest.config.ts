import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Code under test imports the page SDK as pages do, from the kiosk's /kiosk-shell/sdk.js.
  resolve: { alias: { '/kiosk-shell/sdk.js': new URL('./sdk/index.ts', import.meta.url).pathname } },
  test: {
    // Real servers and sockets: separate processes keep one file's fds and listeners
    // from blurring another's baseline.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/electron/**'] },
      },
      {
        // The Electron binary cannot run here: electron/ is tested against one fake,
        // installed for these files only.
        extends: true,
        test: { name: 'electron', include: ['test/electron/**/*.test.ts'], setupFiles: ['test/electron/electron-fake.ts'] },
      },
    ],
  },
});
