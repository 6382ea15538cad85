// Builds the kiosk UI (renderer/) into dist/renderer, which the loopback server serves
// under a strict CSP: no inline script or style may end up in the output, and nothing is
// fetched from anywhere but the page's own origin.
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repoRoot = import.meta.dirname;

export default defineConfig({
  root: path.join(repoRoot, 'renderer'),
  base: '/',
  // Nothing in renderer/ is copied verbatim; a public dir would only invite stray files.
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: path.join(repoRoot, 'dist', 'renderer'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // Inlined assets become data: URLs; the CSP allows them for images only, so keep
    // everything (fonts, icons) as files under assets/.
    assetsInlineLimit: 0,
    // A polyfill for <link rel=modulepreload> is useless in Chromium and costs bytes.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    chunkSizeWarningLimit: 400,
    // The page SDK is the kiosk's, not the UI's: the UI imports it from the kiosk that serves
    // it (/kiosk-shell/sdk.js, built by scripts/build-sdk.js), as a site's own UI does.
    rolldownOptions: { external: ['/kiosk-shell/sdk.js'] },
  },
});
