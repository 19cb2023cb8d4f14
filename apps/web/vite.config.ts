import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The libraries are compiled from source, so the web build never waits for their own builds.
const contracts = fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url));
const labeling = fileURLToPath(new URL('../../libs/labeling/src/index.ts', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@enclave/contracts': contracts, '@enclave/labeling': labeling } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every script and stylesheet is a file of its own: the page runs under `default-src 'self'`.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: {
      treeshake: {
        // The libraries are pure (no I/O, nothing done on import), and the exporters' CSV dependency
        // builds a Buffer at load: modules of theirs that the app does not use must not ship, or run.
        moduleSideEffects: [
          { test: /[\\/]libs[\\/](contracts|labeling)[\\/]src[\\/]/, sideEffects: false },
          { test: /[\\/]node_modules[\\/]csv-stringify[\\/]/, sideEffects: false },
        ],
      },
    },
  },
  server: {
    // `npm run dev` in apps/web: the API on :3000 answers /api on the same origin as far as the browser sees.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
