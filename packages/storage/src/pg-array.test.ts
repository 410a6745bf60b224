import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { pgArray } from './pg-array.js';
import { testDatabaseUrl } from './testing/index.js';

describe('pgArray', () => {
  const sql = postgres(testDatabaseUrl(), { max: 1 });
  afterAll(() => sql.end());

  it('round-trips hostile text, nulls and numbers through PostgreSQL', async () => {
    const text = [
      'plain',
      'with "quotes"',
      'both \\"\\\\ at once',
      'back\\slash',
      '{braces},commas',
      'NULL',
      '',
      "it's",
      null,
    ];
    const [row] = await sql.unsafe<{ t: (string | null)[]; n: number[] }[]>(
      // Read back as JSON: the driver's own text[] parser reads an unquoted NULL as 'NULL'.
      'SELECT array_to_json($1::text[]) AS t, array_to_json($2::float8[]) AS n',
      [pgArray(text), pgArray([1, 2.5, -3, 1e300, -0.000001])],
    );
    expect(row?.t).toEqual(text);
    expect(row?.n).toEqual([1, 2.5, -3, 1e300, -0.000001]);
  });
});
