import type { ViteUserConfig } from 'vitest/config';

/** Shared vitest settings: every package's vitest.config.ts spreads this preset. */
export declare const testPreset: NonNullable<ViteUserConfig['test']>;
