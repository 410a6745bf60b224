import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, migrate } from '../src/migrate.js';
import { testDatabaseUrl } from '../src/testing/index.js';

describe('migrate', () => {
  const url = testDatabaseUrl();
  const schema = `t_migrate_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });

  afterAll(async () => {
    await admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`;
    await admin.end();
  });

  it('migrates a new schema from four processes at once, then again as a no-op', async () => {
    await Promise.all(Array.from({ length: 4 }, () => migrate({ url, schema })));
    await migrate({ url, schema });
    const tables = await admin<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY 1`;
    expect(tables.map((t) => t.table_name)).toEqual([
      'job_dependencies',
      'job_dependency_counts',
      'job_queue_starts',
      'job_queues',
      'job_retention',
      'jobs',
      'jobs_migrations',
      'schedules',
    ]);
    const [applied] = await admin.unsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${schema}.jobs_migrations`,
    );
    const journal = JSON.parse(
      readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'),
    ) as { entries: unknown[] };
    expect(applied?.n).toBe(journal.entries.length);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(migrate({ url, schema: 'x; DROP TABLE y' })).rejects.toThrow(/schema/);
  });
});
