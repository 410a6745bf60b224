import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgStore } from '@jobs/storage';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/main.js';
import {
  commandEnv,
  type Daemon,
  FIXTURE_CONFIG,
  jobs,
  type Result,
  startDaemon,
  trackDaemons,
  waitFor,
} from './helpers.js';

describe('jobs commands against a running server', () => {
  trackDaemons();
  let schema: TestSchema;
  let server: Daemon;
  let logDir: string;
  /** Runs a client command against the server. */
  const cli = (...args: string[]): Promise<Result> =>
    jobs(args, { env: commandEnv({ JOBS_URL: server.url }) });
  const json = async (...args: string[]) => {
    const result = await cli(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    schema = await createTestSchema('cli_commands');
    logDir = await mkdtemp(join(tmpdir(), 'jobs-cli-logs-'));
    server = await startDaemon(['start', '--config', FIXTURE_CONFIG, '--port', '0'], {
      env: commandEnv({
        DATABASE_URL: schema.url,
        JOBS_SCHEMA: schema.schema,
        BACKGROUND_JOB_LOG_DIRECTORY: join(logDir, 'jobs.log'),
        BACKGROUND_JOB_ERROR_LOG_DIRECTORY: join(logDir, 'errors.log'),
      }),
    });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await schema?.drop();
    await rm(logDir, { recursive: true, force: true });
  });

  it('enqueues through the API and prints the id alone when piped', async () => {
    const result = await cli('run', 'math', 'add', '[2, 3]', '--priority', '7', '--retries', '1');
    expect(result.code).toBe(0);
    const id = result.stdout.trim();
    expect(id).toMatch(/^\d+$/);
    const job = await json('show', id);
    expect(job).toMatchObject({
      handler: 'math',
      method: 'add',
      params: [2, 3],
      priority: 7,
      maxAttempts: 2,
    });
  });

  it('says "already queued as job N" for a held unique key; --json carries created', async () => {
    const args = ['run', 'math', 'add', '[1, 1]', '--delay', '3600', '--unique-key', 'once'];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const id = first.stdout.trim();
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(id);
    expect(again.stderr.trim()).toBe(`already queued as job ${id} (key "once", scheduled)`);
    const asJson = await json(...args);
    expect(asJson).toMatchObject({ id, created: false, state: 'scheduled' });
    // A finished job holds its key only under --unique-for (or --unique-states).
    // --wait prints the job's progress on stderr, its final state as JSON on stdout.
    const waited = await cli(
      'run',
      'math',
      'add',
      '[2, 2]',
      '--unique-key',
      'daily',
      '--wait',
      '--json',
    );
    expect(waited.code).toBe(0);
    const done = JSON.parse(waited.stdout);
    expect(done).toMatchObject({ state: 'completed' });
    const windowed = await cli(
      'run',
      'math',
      'add',
      '[2, 2]',
      '--unique-key',
      'daily',
      '--unique-for',
      '3600',
    );
    expect(windowed.stdout.trim()).toBe(done.id);
    expect(windowed.stderr).toContain(`already queued as job ${done.id} (key "daily", completed)`);
    const fresh = await json('run', 'math', 'add', '[2, 2]', '--unique-key', 'daily');
    expect(fresh.created).toBe(true);
    const listed = await json(
      'run',
      'math',
      'add',
      '[2, 2]',
      '--unique-key',
      'daily',
      '--unique-states',
      'completed,failed',
    );
    expect(listed).toMatchObject({ id: fresh.id, created: false });
    // --file counts what was created and what was already queued.
    const dir = await mkdtemp(join(tmpdir(), 'jobs-cli-unique-'));
    try {
      const file = join(dir, 'jobs.ndjson');
      const line = {
        handler: 'math',
        method: 'add',
        params: [5, 5],
        uniqueKey: 'file-key',
        delay: 600,
      };
      await writeFile(file, `${JSON.stringify(line)}\n${JSON.stringify(line)}\n`);
      const bulk = await json('run', '--file', file);
      expect(bulk).toMatchObject({ enqueued: 2, created: 1, deduplicated: 1 });
      expect(bulk.ids[0]).toBe(bulk.ids[1]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad unique flags with exit 2, naming the flag', async () => {
    for (const [args, message] of [
      [['--unique-for', '60'], '--unique-for needs --unique-key'],
      [['--unique-states', 'completed'], '--unique-states needs --unique-key'],
      [
        ['--unique-key', 'k', '--unique-for', '0'],
        '--unique-for must be a number of seconds above 0',
      ],
      [
        ['--unique-key', 'k', '--unique-states', 'done'],
        '--unique-states: "done" is not a job state',
      ],
    ] as const) {
      const result = await cli('run', 'math', 'add', '[1, 2]', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it('--wait follows a job to completion (exit 0) and a failure to exit 1', async () => {
    const done = await cli('run', 'math', 'add', '[20, 22]', '--wait', '--json');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ state: 'completed', result: 42 });

    const failed = await cli('run', 'broken', 'fail', '["no luck"]', '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/failed: PermanentError: no luck/);
  });

  it('--wait prints the start of every attempt and 24-hour times', async () => {
    const result = await cli('run', 'broken', 'once', '["first try"]', '--retries', '2', '--wait');
    expect(result.code).toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    const id = result.stdout.trim();
    const name = `job ${id} broken.once`;
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const started1 = at(new RegExp(`^${name} running \\(attempt 1/3\\)$`));
    const failed1 = at(
      new RegExp(`^${name} failed attempt 1/3 \\(first try\\); retrying at \\d\\d:\\d\\d:\\d\\d$`),
    );
    const started2 = at(new RegExp(`^${name} running \\(attempt 2/3\\)$`));
    const completed = at(new RegExp(`^job ${id} completed`));
    expect({ started1, failed1, started2, completed, lines }).toMatchObject({
      started1: expect.any(Number),
      failed1: started1 + 1,
      started2: started1 + 2,
      completed: started1 + 3,
    });
    expect(started1).toBeGreaterThanOrEqual(0);
    expect(result.stderr).not.toMatch(/\b[AP]M\b/);
  });

  it('says what is wrong with arguments, with exit code 2, and never prompts without a TTY', async () => {
    const missing = await cli('run', 'math');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing argument <method>/);

    const badJson = await cli('run', 'math', 'add', '[1,');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/params-json is not valid JSON/);

    const unknown = await cli('run', 'nope', 'x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/handler "nope" is not registered/);
    expect(unknown.stderr).toMatch(/registered handlers: math, mailer, slow, broken/);

    const schemaError = await cli('run', 'mailer', 'send', '["not-an-address", "hi"]');
    expect(schemaError.code).toBe(2);
    expect(schemaError.stderr).toMatch(/params\.0/);

    const flag = await cli('list', '--colour');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option --colour/);

    const value = await cli('run', 'math', 'add', '[1, 2]', '--priority', 'high');
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/--priority must be a whole number/);

    const command = await cli('explode');
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command "explode"/);
  });

  it('cancels a running job, refuses to cancel it twice, and retries it', async () => {
    const id = (await cli('run', 'slow', 'wait', '[30000]')).stdout.trim();
    await waitFor(async () => (await json('show', id)).state === 'running', 10_000, 'running');
    const cancelled = await cli('cancel', id);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`job ${id} cancelled`));
    const again = await cli('cancel', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cannot cancel a job that is cancelled/);
    const missing = await cli('show', '999999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not exist/);

    const retried = await cli('retry', id);
    expect(retried.code).toBe(0);
    await cli('cancel', id);
  });

  it('retry --failed queues every failed job again', async () => {
    const failed = await cli('run', 'broken', 'fail', '["again"]', '--wait');
    expect(failed.code).toBe(1);
    const result = await cli('retry', '--failed');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/[1-9]\d* failed jobs? queued again/);
  });

  it('lists, filters and counts jobs; tables for people, JSON for scripts', async () => {
    await cli('run', 'math', 'add', '[1, 1]', '--queue', 'listing', '--wait');
    const listed = await json('list', '--queue', 'listing');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ queue: 'listing', state: 'completed' });
    const table = await cli('list', '--state', 'completed', '--limit', '5');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATE\s+QUEUE\s+JOB/);
    expect(table.stdout).toMatch(/math\.add/);
    const badState = await cli('list', '--state', 'done');
    expect(badState.code).toBe(2);

    const stats = await json('stats');
    expect(stats.byState.completed).toBeGreaterThan(0);
    expect((await cli('stats')).stdout).toMatch(/COMPLETED/);
  });

  it('pauses and resumes a queue', async () => {
    expect((await cli('queues', 'pause', 'mail', '--create')).code).toBe(0);
    expect(await json('queues')).toContainEqual(
      expect.objectContaining({ name: 'mail', paused: true }),
    );
    expect((await cli('queues', 'resume', 'mail')).stdout).toMatch(/queue mail resumed/);
    expect((await cli('queues', 'stop', 'mail')).code).toBe(2);
  });

  it('refuses to pause or resume a queue that does not exist, unless pause --create', async () => {
    const names = async () => (await json('queues')).map((q: { name: string }) => q.name);
    const refused = await cli('queues', 'pause', 'nosuch');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/queue nosuch does not exist/);
    expect(refused.stderr).toMatch(/jobs queues pause nosuch --create/);
    expect((await cli('queues', 'resume', 'nosuch')).code).toBe(1);
    expect(await names()).not.toContain('nosuch');
    expect((await cli('queues', 'resume', 'nosuch', '--create')).code).toBe(2);

    const created = await cli('queues', 'pause', 'nosuch', '--create');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/queue nosuch paused/);
    expect(await json('queues')).toContainEqual(
      expect.objectContaining({
        name: 'nosuch',
        paused: true,
        byState: expect.objectContaining({ queued: 0 }),
      }),
    );
    expect((await cli('queues', 'resume', 'nosuch')).code).toBe(0);
    expect(await names()).not.toContain('nosuch');
  });

  it('shows the retention the daemon wrote from its config, and the table size', async () => {
    const answer = await json('retention');
    expect(answer.defaults).toEqual({
      completed: 86_400_000,
      failed: 1_209_600_000,
      cancelled: 604_800_000,
    });
    expect(answer.queues).toContainEqual({
      name: 'audit',
      overrides: { completed: null, failed: 3_600_000 },
      effective: { completed: null, failed: 3_600_000, cancelled: 604_800_000 },
    });
    expect(answer.table.totalBytes).toBeGreaterThan(0);
    const table = await cli('retention');
    expect(table.stdout).toMatch(/audit\s+forever\s+1h\s+7d/);
    expect(table.stdout).toMatch(/jobs table: [\d.]+ MiB/);
  });

  it('prunes finished jobs by state, age and queue, never a running one; --dry-run deletes nothing', async () => {
    const store = createPgStore({ url: schema.url, schema: schema.schema, max: 1 });
    try {
      const inserted = await store.jobInsert({
        jobs: ['old1', 'old2', 'run', 'other'].map((tag) => ({
          queue: tag === 'other' ? 'prune-b' : 'prune-a',
          handler: 'math',
          method: 'add',
          params: [1, 2],
          priority: 0,
          maxAttempts: 1,
          timeoutMs: null,
          uniqueKey: null,
          concurrencyKey: null,
          tags: [tag],
          backoff: { kind: 'fixed', delayMs: 1000 },
          runAt: { delayMs: 3_600_000 },
        })),
      });
      const ids = inserted.map((j) => j.id);
      await store.connection
        .sql`UPDATE jobs SET attempt = 1, finished_at = now() - interval '3 hours',
        state = CASE WHEN 'run' = ANY(tags) THEN 'running' ELSE 'completed' END,
        lease_owner = CASE WHEN 'run' = ANY(tags) THEN 'nobody' END
        WHERE id = ANY(${ids}::bigint[])`;
      const dry = await json(
        'prune',
        '--state',
        'completed',
        '--older-than',
        '1h',
        '--queue',
        'prune-a',
        '--dry-run',
      );
      expect(dry).toMatchObject({ deleted: 2, dryRun: true });
      expect(
        (
          await cli(
            'prune',
            '--state',
            'completed',
            '--older-than',
            '1h',
            '--queue',
            'prune-a',
            '--dry-run',
          )
        ).stdout,
      ).toMatch(/would delete 2 finished jobs/);
      const done = await json(
        'prune',
        '--state',
        'completed',
        '--older-than',
        '1h',
        '--queue',
        'prune-a',
      );
      expect(done).toEqual({
        deleted: 2,
        dryRun: false,
        byQueue: [{ queue: 'prune-a', state: 'completed', count: 2 }],
      });
      const left = await store.connection.sql<{ tag: string }[]>`
        SELECT tags[1] AS tag FROM jobs WHERE id = ANY(${ids}::bigint[]) ORDER BY id`;
      expect(left.map((r) => r.tag)).toEqual(['run', 'other']);
      await store.connection.sql`DELETE FROM jobs WHERE id = ANY(${ids}::bigint[])`;
      const log = await readFile(join(logDir, 'jobs.log'), 'utf8');
      expect(log).toMatch(/ status=pruned count=2 queue="prune-a" state=completed /);
    } finally {
      await store.close();
    }
    const running = await cli('prune', '--state', 'running');
    expect(running.code).toBe(2);
    expect(running.stderr).toMatch(/only finished jobs are pruned/);
    const age = await cli('prune', '--older-than', 'soon');
    expect(age.code).toBe(2);
    expect(age.stderr).toMatch(/--older-than: must be milliseconds or a duration/);
  });

  it("writes the config file's queue limits into the database when the daemon starts", async () => {
    expect(await json('queues')).toContainEqual(
      expect.objectContaining({
        name: 'capped',
        limits: { concurrency: 2, keyConcurrency: null, rateLimit: { limit: 100, periodMs: 1000 } },
        usage: { running: 0, recentStarts: 0 },
      }),
    );
  });

  it('sets, shows and removes queue limits with queues set', async () => {
    const set = await json('queues', 'set', 'limited', '--concurrency', '3', '--rate', '50/1s');
    expect(set).toEqual({
      name: 'limited',
      paused: false,
      limits: { concurrency: 3, keyConcurrency: null, rateLimit: { limit: 50, periodMs: 1000 } },
      usage: { running: 0, recentStarts: 0 },
    });
    const words = await cli('queues', 'set', 'limited', '--key-concurrency', '2');
    expect(words.code).toBe(0);
    expect(words.stdout).toMatch(/queue limited: concurrency 3, 2 per key, rate 50\/1s/);
    const table = await cli('queues');
    expect(table.stdout).toMatch(/LIMITS/);
    expect(table.stdout).toMatch(/limited .* 0\/3 running, 0\/50 per 1s, 2 per key/);
    const removed = await json(
      'queues',
      'set',
      'limited',
      '--rate',
      'none',
      '--concurrency',
      'none',
    );
    expect(removed.limits).toEqual({ concurrency: null, keyConcurrency: 2, rateLimit: null });
    // The job's key reaches the store through `jobs run`.
    const run = await cli(
      'run',
      'math',
      'add',
      '[1, 2]',
      '--queue',
      'limited',
      '--concurrency-key',
      'customer-9',
    );
    expect(run.code).toBe(0);
    expect((await json('show', run.stdout.trim())).concurrencyKey).toBe('customer-9');
  });

  it('refuses bad limit flags with exit 2, naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['queues', 'set', 'limited', '--concurrency', '0'],
        /--concurrency must be a whole number from 1/,
      ],
      [
        ['queues', 'set', 'limited', '--concurrency', 'many'],
        /--concurrency must be a whole number/,
      ],
      [['queues', 'set', 'limited', '--rate', 'fast'], /--rate: must look like 50\/1s/],
      [['queues', 'set', 'limited', '--rate', '0/1s'], /--rate\.limit: must be between 1/],
      [['queues', 'set', 'limited'], /nothing to set/],
      [['queues', 'set', 'bad name', '--concurrency', '1'], /is not a queue name/],
      [['queues', 'pause', 'limited', '--concurrency', '1'], /--concurrency goes with set/],
      // (NUL and lone surrogates cannot reach argv; the API's tests send them.)
      [
        ['run', 'math', 'add', '[1,2]', '--concurrency-key', 'k'.repeat(256)],
        /--concurrency-key: must be 1 to 255/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('shows how many attempt errors a job did not keep', async () => {
    await using store = createPgStore({ url: schema.url, schema: schema.schema, max: 1 });
    const kept = [1, 2, 3, 4, 5, ...Array.from({ length: 20 }, (_, i) => 41 + i)];
    const errors = kept.map((attempt) => ({
      attempt,
      message: `failure ${attempt}`,
      name: 'Error',
      at: '2026-01-01T00:00:00.000Z',
    }));
    const [row] = await store.connection.sql<{ id: string }[]>`
      INSERT INTO jobs (handler, method, params, state, attempt, max_attempts, backoff, errors,
                        errors_dropped, finished_at)
      VALUES ('math', 'add', '[1, 2]', 'failed', 60, 60, '{"kind":"fixed","delayMs":0}',
              ${JSON.stringify(errors)}::jsonb, 35, now())
      RETURNING id::text AS id`;
    const id = row?.id ?? '';
    const shown = await json('show', id);
    expect(shown.errorsDropped).toBe(35);
    expect(shown.errors.map((e: { attempt: number }) => e.attempt)).toEqual(kept);
    const text = (await cli('show', id)).stdout;
    expect(text).toMatch(/failure 5\n… 35 earlier errors not kept[^\n]*\n[^\n]*failure 41/);
  });

  it('shows stored error messages, stacks and log lines with control characters escaped', async () => {
    await using store = createPgStore({ url: schema.url, schema: schema.schema, max: 1 });
    const errors = [
      {
        attempt: 1,
        message: 'wiped\x1b[2Jscreen \u202Ereversed',
        name: 'Evil\x1b[31mError',
        stack: 'Error: wiped\n    at \x1b]0;title\x07frame (file.js:1:1)',
        at: '2026-01-01T00:00:00.000Z',
      },
    ];
    const logs = [{ at: '2026-01-01T00:00:00.000Z', line: 'step\x1b[2J \u202Eone\rforged' }];
    const [row] = await store.connection.sql<{ id: string }[]>`
      INSERT INTO jobs (handler, method, params, state, attempt, max_attempts, backoff, errors,
                        logs, finished_at)
      VALUES ('math', 'add', ${JSON.stringify(['\u202Earg'])}::jsonb, 'failed', 1, 1,
              '{"kind":"fixed","delayMs":0}', ${JSON.stringify(errors)}::jsonb,
              ${JSON.stringify(logs)}::jsonb, now())
      RETURNING id::text AS id`;
    const id = row?.id ?? '';
    const shown = await cli('show', id);
    expect(shown.code).toBe(0);
    for (const raw of ['\x1b', '\x07', '\r', '\u202E']) expect(shown.stdout).not.toContain(raw);
    expect(shown.stdout).toContain('Evil\\u001b[31mError: wiped\\u001b[2Jscreen \\u202ereversed');
    expect(shown.stdout).toContain('at \\u001b]0;title\\u0007frame (file.js:1:1)');
    expect(shown.stdout).toContain('step\\u001b[2J \\u202eone\\rforged');
    expect(shown.stdout).toContain('["\\u202earg"]');
    const listed = await cli('list', '--state', 'failed', '--limit', '500');
    expect(listed.stdout).toContain(`${id} `);
    for (const raw of ['\x1b', '\u202E']) expect(listed.stdout).not.toContain(raw);
    // --json keeps the stored text exactly: a script decodes what was stored.
    expect((await json('show', id)).errors[0].message).toBe(errors[0]?.message);
  });

  it('prints the job log and the error log', async () => {
    await cli('run', 'broken', 'fail', '["logged"]', '--wait');
    const log = await waitFor(async () => {
      const result = await cli('logs', '--lines', '100');
      return /handler="broken"/.test(result.stdout) ? result : null;
    });
    expect(log.code).toBe(0);
    const errors = await cli('logs', '--errors');
    expect(errors.stdout).toMatch(/logged/);
    expect(await readFile(join(logDir, 'errors.log'), 'utf8')).toMatch(/logged/);
  });

  it('prints an error log written before escaping (raw ESC, CR, NEL, U+2028) escaped', async () => {
    await appendFile(
      join(logDir, 'errors.log'),
      '2026-01-01T00:00:00.000Z id=1 handler="old" method="run" status=failed error="Error: x"\n' +
        '  Error: \x1b[2J\x1b]0;pwned\x07cr\r2026-01-01T00:00:00.000Z forged\u0085nel\u2028ls\n',
    );
    const result = await cli('logs', '--errors', '--lines', '2');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '2026-01-01T00:00:00.000Z id=1 handler="old" method="run" status=failed error="Error: x"',
      '  Error: \\u001b[2J\\u001b]0;pwned\\u0007cr\\r2026-01-01T00:00:00.000Z forged\\u0085nel\\u2028ls',
      '',
    ]);
  });

  it('enqueues an NDJSON file in batches and names the line of a bad job', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobs-cli-file-'));
    try {
      const file = join(dir, 'jobs.ndjson');
      const lines = Array.from({ length: 300 }, (_, i) =>
        JSON.stringify({ handler: 'math', method: 'add', params: [i, 1] }),
      );
      await writeFile(file, `# a comment\n${lines.join('\n')}\n`);
      const result = await cli('run', '--file', file, '--queue', 'bulk', '--json');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).enqueued).toBe(300);
      expect((await json('list', '--queue', 'bulk', '--limit', '500')).length).toBe(300);

      await writeFile(
        file,
        `${lines[0]}\n{"handler":"math","method":"add","params":[1],"priority":"x"}\n`,
      );
      const bad = await cli('run', '--file', file);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/line 2: priority/);

      await writeFile(file, `${lines[0]}\nnot json\n`);
      const broken = await cli('run', '--file', file);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toMatch(/jobs\.ndjson:2: not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 3 with a hint when the server cannot be reached', async () => {
    const result = await jobs(['list'], { env: commandEnv({ JOBS_URL: 'http://127.0.0.1:9' }) });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot reach the jobs server at http:\/\/127\.0\.0\.1:9/);
    expect(result.stderr).toMatch(/jobs start/);
  });

  it('has --help with examples on every command', async () => {
    const results = await Promise.all(COMMANDS.map((c) => jobs([...c.name.split(' '), '--help'])));
    for (const [index, result] of results.entries()) {
      expect(result.code, COMMANDS[index]?.name).toBe(0);
      expect(result.stdout).toMatch(/Usage: jobs /);
      expect(result.stdout).toMatch(/Examples:/);
    }
    const main = await jobs(['--help']);
    expect(main.code).toBe(0);
    for (const command of COMMANDS) expect(main.stdout).toContain(command.name);
  });
});
