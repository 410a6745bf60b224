import type { CaseRecord } from './report.js';

/** A made-up record of a case for the bench's own tests: `fields` over quiet defaults. */
export function testRecord(
  fields: Partial<Omit<CaseRecord, 'outcome'>> & { outcome: CaseRecord['outcome'] },
): CaseRecord {
  return {
    group: 'drain c16',
    label: 'drain 50000, concurrency 16',
    contender: 'ours',
    settings: 'fast',
    load: {
      loadavgStart: 1,
      loadavgEnd: 1,
      cpuBusy: 0.5,
      benchCores: 1,
      externalCores: 0,
      unattributedCores: 0,
      topExternal: [],
      disturbed: false,
    },
    cpu: { watched: {}, postgres: 1 },
    runs: 1,
    run: 1,
    net: { delayMs: 0, proxiedConnections: null },
    ...fields,
  };
}
