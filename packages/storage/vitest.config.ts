import { testPreset } from '@jobs/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { ...testPreset, globalSetup: ['./src/testing/global-setup.ts'] },
});
