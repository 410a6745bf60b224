import { testPreset } from '@jobs/vitest-config';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Projects extend the root settings and arrays are merged, so the preset's `include` stays out.
const { include: _include, ...shared } = testPreset ?? {};

export default defineConfig({
  plugins: [react()],
  test: {
    ...shared,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
          environment: 'happy-dom',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          // One browser and one server at a time: the machine has two cores.
          fileParallelism: false,
          testTimeout: 60_000,
          globalSetup: ['@jobs/storage/testing/global-setup', './e2e/build-app.ts'],
        },
      },
    ],
  },
});
