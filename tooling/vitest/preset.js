// Shared vitest settings: every package's vitest.config.ts spreads this preset.
/** @type {import('vitest/config').ViteUserConfig['test']} */
export const testPreset = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  environment: 'node',
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks',
  typecheck: { enabled: false },
};
