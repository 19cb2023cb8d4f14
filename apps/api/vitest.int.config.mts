import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/** Integration tests: real PostgreSQL (embedded, or TEST_DATABASE_URL), connected as the runtime role. */
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['src/**/*.int-spec.ts', 'test/**/*.int-spec.ts'],
    environment: 'node',
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
