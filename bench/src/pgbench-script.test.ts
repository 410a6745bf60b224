import { CLAIM_STATEMENT } from '@jobs/storage/testing';
import { describe, expect, it } from 'vitest';
import { lifecycleScript } from './cases/pgbench.js';

describe('the pgbench script of the ceiling case', () => {
  // The parameters as captureLifecycle passes them: limit 1, worker 'capture', lease 60 s, all
  // queues, start limit 1.
  const claim = { text: CLAIM_STATEMENT, params: [1, 'capture', 60_000, null, 1] };
  const complete = {
    text: 'SELECT complete($1::bigint[], $2::int[], $3::text[], $4)',
    params: ['{1}', '{1}', '{NULL}', 'capture'],
  };

  it("adapts the store's own claim statement: its rows become one row of id and attempt arrays", () => {
    const script = lifecycleScript(claim, complete);
    const parts = script.trimEnd().split('\n\\gset\n');
    expect(parts).toHaveLength(2);
    const [claimSql, completeSql] = parts;
    expect(claimSql).toMatch(
      /SELECT coalesce\(array_agg\(claimed\.id\)::text, '\{\}'\) AS ids, coalesce\(array_agg\(claimed\.attempt\)::text, '\{\}'\) AS attempts FROM claimed/,
    );
    // The claimed-limited flag and the column list are gone; the CTEs and their joins stay.
    expect(claimSql).not.toContain('claimedLimited');
    expect(claimSql).toContain('UPDATE jobs j');
    expect(claimSql).not.toMatch(/\$\d/);
    expect(claimSql).toContain(':batch');
    expect(claimSql).toContain(':client_id');
    expect(claimSql).toContain(':lease');
    expect(completeSql).toBe(
      'SELECT complete(:ids::bigint[], :attempts::int[], array_fill(NULL::text, ARRAY[cardinality(:ids::bigint[])])::text[], :client_id);',
    );
  });

  it('names what it cannot find', () => {
    expect(() => lifecycleScript({ ...claim, text: 'SELECT 1' }, complete)).toThrow(
      /no final "SELECT x\.id, \.\.\. FROM x"/,
    );
  });
});
