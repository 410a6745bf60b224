import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

const REDOCLY = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));
const CONFIG = fileURLToPath(new URL('../redocly.yaml', import.meta.url));

let api: TestApi;
let dir: string;

beforeAll(async () => {
  api = await createTestApi('openapi_lint', { token: 'a'.repeat(40) });
  dir = await mkdtemp(join(tmpdir(), 'api-openapi-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

interface LintReport {
  readonly totals: { readonly errors: number; readonly warnings: number };
  readonly problems: readonly { ruleId: string; message: string; location: unknown }[];
}

describe('the OpenAPI document passes redocly lint', () => {
  it('has no errors and no warnings under the checked-in redocly.yaml', async () => {
    const res = await api.call('GET', '/openapi.json', {
      headers: { Authorization: `Bearer ${'a'.repeat(40)}` },
    });
    expect(res.status).toBe(200);
    const file = join(dir, 'openapi.json');
    await writeFile(file, await res.text());
    const run = promisify(execFile);
    const { stdout } = await run(REDOCLY, ['lint', file, '--config', CONFIG, '--format', 'json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as LintReport;
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);
});
