import { testPreset } from '@jobs/vitest-config';
import { defineConfig } from 'vitest/config';

// The bench's own tests need no database: the delay proxy runs against a local echo server,
// and the target verdicts are computed from records made up in the test.
export default defineConfig({ test: testPreset });
