import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORAGE_PACKAGE_ROOT, testServerDir } from './server-dir.js';

describe('the folder of the tests’ embedded server', () => {
  const mine = '/work/checkout-a/packages/storage';
  const theirs = '/work/checkout-b/packages/storage';

  it('differs between two checkouts, so one run’s teardown cannot stop the other’s server', () => {
    expect(testServerDir({}, mine)).not.toBe(testServerDir({}, theirs));
  });

  it('is the same for every run of one checkout, in the temporary folder', () => {
    expect(testServerDir({}, mine)).toBe(testServerDir({}, `${mine}/`));
    expect(dirname(testServerDir({}, mine))).toBe(tmpdir());
  });

  it('is JOBS_EMBEDDED_DIR when that is set', () => {
    const dir = join(tmpdir(), 'chosen');
    expect(testServerDir({ JOBS_EMBEDDED_DIR: dir }, mine)).toBe(dir);
    expect(testServerDir({ JOBS_EMBEDDED_DIR: '' }, mine)).toBe(testServerDir({}, mine));
  });
});

describe('STORAGE_PACKAGE_ROOT', () => {
  it('is this checkout’s @jobs/storage folder', () => {
    const manifest = JSON.parse(readFileSync(join(STORAGE_PACKAGE_ROOT, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('@jobs/storage');
    expect(testServerDir({})).toBe(testServerDir({}, STORAGE_PACKAGE_ROOT));
  });
});
