import { testPreset } from '@jobs/vitest-config';
import { defineConfig } from 'vitest/config';

// Storage's global setup provides TEST_DATABASE_URL: the machine's PostgreSQL when set, an
// embedded one otherwise.
export default defineConfig({
  test: { ...testPreset, globalSetup: ['@jobs/storage/testing/global-setup'] },
});
