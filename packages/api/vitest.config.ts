import { testPreset } from '@jobs/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { ...testPreset, globalSetup: ['@jobs/storage/testing/global-setup'] },
});
