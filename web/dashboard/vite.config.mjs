// Builds the admin dashboard into web/dashboard/dist (committed; test/admin/dashboard-assets.test.ts
// checks it matches the sources). Served by Moatless at /admin/ (src/admin/dashboard/).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  logLevel: 'warn',
  // Preact's JSX through esbuild: no framework plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: process.env.DASHBOARD_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The preload polyfill is not needed by current browsers; keep the bundle to our own code.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
