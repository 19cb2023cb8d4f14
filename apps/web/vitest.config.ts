import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@enclave/contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)),
      '@enclave/labeling': fileURLToPath(new URL('../../libs/labeling/src/index.ts', import.meta.url)),
    },
  },
  test: { include: ['src/**/*.spec.ts', 'src/**/*.spec.tsx'], environment: 'node' },
});
