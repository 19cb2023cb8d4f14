import { defineConfig } from 'vitest/config';

/** Browser tier: the built server (apps/api/dist, apps/web/dist) driven in Debian's Chromium. */
export default defineConfig({
  test: {
    include: ['browser/**/*.browser.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
