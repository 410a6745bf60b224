import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from './helpers.js';

/** A config file written into a folder under this package, so that its imports resolve. */
describe('a broken jobs.config.ts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(import.meta.dirname, 'fixtures', 'tmp-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function start(name: string, source: string) {
    await writeFile(join(dir, name), source);
    return jobs(['start', '--config', name, '--port', '0'], { cwd: dir });
  }

  const HEAD =
    "import { defineConfig } from '@jobs/cli';\nimport { defineHandlers } from '@jobs/core';\n";

  it('names the file, line and column of a syntax error, without a stack trace', async () => {
    const result = await start(
      'syntax.ts',
      `${HEAD}export default defineConfig({\n  handlers: defineHandlers({ a: { b() {} } }),,\n});\n`,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: syntax\.ts:4: syntax error: /);
    expect(result.stderr).toMatch(/hint: correct the TypeScript at line 4, column \d+/);
    expect(result.stderr).toMatch(/ {2}4 \| {3}handlers:/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the key and its line when a value is wrong', async () => {
    const result = await start(
      'shape.ts',
      `${HEAD}export default defineConfig({\n  handlers: defineHandlers({ a: { b() {} } }),\n  api: { port: 'eighty' as unknown as number },\n});\n`,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: shape\.ts:5: api\.port is "eighty"/);
    expect(result.stderr).toMatch(/hint: set api\.port to a port number/);
  });

  it('names the retention field at fault', async () => {
    const result = await start(
      'retention.ts',
      `${HEAD}export default defineConfig({\n  handlers: defineHandlers({ a: { b() {} } }),\n  retention: { queues: { audit: { completed: 'forever' as never } } },\n});\n`,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /retention\.queues\.audit\.completed: must be milliseconds or a duration/,
    );
    expect(result.stderr).toMatch(/hint: write durations such as '1h'/);
    const running = await start(
      'retention-state.ts',
      `${HEAD}export default defineConfig({\n  handlers: defineHandlers({ a: { b() {} } }),\n  retention: { running: '1d' } as never,\n});\n`,
    );
    expect(running.code).toBe(2);
    expect(running.stderr).toMatch(/retention\.running: is not a key/);
  });

  it('refuses the old worker keys under queues, naming the new key', async () => {
    const cases: [string, RegExp, RegExp][] = [
      [
        'queues: { concurrency: 8 }',
        /queues\.concurrency moved to worker\.concurrency/,
        /write worker\.concurrency: 8 instead/,
      ],
      [
        "queues: { names: ['mail'] }",
        /queues\.names moved to worker\.queues/,
        /write worker\.queues: \["mail"\] instead/,
      ],
      [
        'queues: { limits: { reports: 1 } }',
        /queues\.limits moved to worker\.queueConcurrency/,
        /worker\.queueConcurrency: \{"reports":1\}/,
      ],
    ];
    for (const [i, [line, problem, fix]] of cases.entries()) {
      const result = await start(
        `old-${i}.ts`,
        `${HEAD}export default defineConfig({\n  handlers: defineHandlers({ a: { b() {} } }),\n  ${line} as never,\n});\n`,
      );
      expect(result.code, line).toBe(2);
      expect(result.stderr, line).toMatch(new RegExp(`old-${i}\\.ts:5: ${problem.source}`));
      expect(result.stderr, line).toMatch(fix);
    }
  });

  it('names the field of a bad queue limit', async () => {
    const cases: [string, RegExp][] = [
      [
        'queues: { mail: { concurrency: 0 } }',
        /queues\.mail\.concurrency: must be between 1 and 100000/,
      ],
      [
        'queues: { mail: { rateLimit: { limit: 50 } } }',
        /queues\.mail\.rateLimit\.periodMs: must be an integer/,
      ],
      ['queues: { mail: { concurency: 3 } }', /queues\.mail\.concurency: is not a queue limit/],
      ["queues: { 'bad name': { concurrency: 1 } }", /"bad name" is not a queue name/],
      ['queues: { mail: 3 }', /queues\.mail: must be an object/],
    ];
    for (const [i, [line, problem]] of cases.entries()) {
      const result = await start(
        `limits-${i}.ts`,
        `${HEAD}export default defineConfig({\n  handlers: defineHandlers({ a: { b() {} } }),\n  ${line} as never,\n});\n`,
      );
      expect(result.code, line).toBe(2);
      expect(result.stderr, line).toMatch(problem);
    }
  });

  it('names flows.onDependencyFailure when it is not a policy, and an unknown flows key', async () => {
    const bad = await start(
      'flows.ts',
      `${HEAD}export default defineConfig({\n  handlers: defineHandlers({ a: { b() {} } }),\n  flows: { onDependencyFailure: 'later' as 'run' },\n});\n`,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error: flows\.ts:5: flows\.onDependencyFailure is "later"/);
    expect(bad.stderr).toMatch(/hint: set flows\.onDependencyFailure to one of "cancel", "run"/);
    const unknown = await start(
      'flows-key.ts',
      `${HEAD}export default defineConfig({\n  handlers: defineHandlers({ a: { b() {} } }),\n  flows: { policy: 'run' } as never,\n});\n`,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: flows-key\.ts:5: "policy" is not/);
  });

  it('tells how to fix a config without handlers', async () => {
    const result = await start('empty.ts', `${HEAD}export default defineConfig({} as never);\n`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/empty\.ts:3: the config has no handlers/);
    expect(result.stderr).toMatch(/hint: set `handlers: defineHandlers/);
  });

  it('points at the line that throws while the config loads', async () => {
    const result = await start(
      'throws.ts',
      `${HEAD}\nconst handlers = defineHandlers({ 'bad name!': { b() {} } });\nexport default defineConfig({ handlers });\n`,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /error: throws\.ts:4: ValidationError: handlers\.bad name!: must match/,
    );
    expect(result.stderr).toMatch(/hint: name handlers with identifiers/);
  });

  it('names a missing import and how to install it', async () => {
    const result = await start(
      'imports.ts',
      `${HEAD}import { thing } from 'no-such-package';\nexport default defineConfig({ handlers: defineHandlers({ a: { b: thing } }) });\n`,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/imports\.ts:3: cannot import package "no-such-package"/);
    expect(result.stderr).toMatch(/pnpm add no-such-package/);
  });

  it('says when there is no config at all', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'jobs-no-config-'));
    try {
      const result = await jobs(['worker'], { cwd: empty });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no jobs\.config\.ts in /);
      const given = await jobs(['start', '--config', 'nope.ts'], { cwd: empty });
      expect(given.code).toBe(2);
      expect(given.stderr).toMatch(/--config nope\.ts: no such file/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
