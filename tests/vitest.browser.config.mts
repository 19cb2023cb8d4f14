import { defineConfig } from 'vitest/config';

/** Browser tier: the built server (apps/api/dist, apps/web/dist) driven in Debian's Chromium. */
export default defineConfig({
  test: {
    include: ['browser/**/*.browser.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // A screen that takes a moment on a busy two-core machine is not a failure: polls wait up to 10 s.
    expect: { poll: { timeout: 10_000 } },
  },
});
