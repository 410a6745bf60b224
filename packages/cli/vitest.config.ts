import { testPreset } from '@jobs/vitest-config';
import { defineConfig } from 'vitest/config';

// Storage's global setup provides TEST_DATABASE_URL: the machine's PostgreSQL when set, an
// embedded one otherwise. The tests run the built bin (`pnpm test` builds it first).
export default defineConfig({
  test: {
    ...testPreset,
    // Every test runs real processes; a busy 2-core machine makes them slow.
    testTimeout: 60_000,
    globalSetup: ['@jobs/storage/testing/global-setup'],
  },
});
