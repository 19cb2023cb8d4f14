import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Contracts are compiled from source, so the web build never waits for the library's own build.
const contracts = fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@enclave/contracts': contracts } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every script and stylesheet is a file of its own: the page runs under `default-src 'self'`.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    // `npm run dev` in apps/web: the API on :3000 answers /api on the same origin as far as the browser sees.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
