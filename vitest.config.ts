import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Engine and store tests use real SQLite files and real timers; give slow shared machines room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds the Next.js app once (when stale) for the end-to-end tests of `imagefleet serve`.
    globalSetup: ['./test/support/next-build-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
