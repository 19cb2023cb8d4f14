import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/**
 * API end-to-end tests: the real Nest app in-process on a random port, spoken to over HTTP, on one
 * throwaway database (embedded PostgreSQL, or TEST_DATABASE_URL's server) made by the global setup.
 * Each file starts its own app and makes its own organizations, so files run in parallel.
 */
export default defineConfig({
  // Nest's decorators need SWC's metadata; esbuild does not emit it.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['./support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
