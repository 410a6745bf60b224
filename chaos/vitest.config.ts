import { testPreset } from '@jobs/vitest-config';
import { defineConfig } from 'vitest/config';

// Scenarios are heavy (processes, load): they run one file at a time.
export default defineConfig({
  test: {
    ...testPreset,
    include: ['test/**/*.test.ts'],
    globalSetup: ['@jobs/storage/testing/global-setup'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
