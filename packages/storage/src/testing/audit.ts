import type postgres from 'postgres';

/** What the completion audit saw. */
export interface AuditTotals {
  /** Jobs whose state is `completed` now. */
  readonly completed: number;
  /** Transitions into `completed` recorded by the trigger. */
  readonly recorded: number;
  /** Distinct jobs among those transitions. */
  readonly distinctRecorded: number;
}

/**
 * Installs, in the connection's schema, a trigger that writes down every statement that sets a
 * job's state to `completed` (even if it already was), so a test can prove each completion was
 * recorded exactly once
 * (`recorded === distinctRecorded === completed`).
 */
export async function installCompletionAudit(sql: postgres.Sql): Promise<{
  totals(): Promise<AuditTotals>;
}> {
  await sql.unsafe(`
    CREATE TABLE IF NOT EXISTS completions (job_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now());
    CREATE OR REPLACE FUNCTION record_completion() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO completions (job_id) VALUES (NEW.id); RETURN NULL; END $$;
    DROP TRIGGER IF EXISTS record_completion ON jobs;
    CREATE TRIGGER record_completion AFTER UPDATE OF state ON jobs FOR EACH ROW
      WHEN (NEW.state = 'completed')
      EXECUTE FUNCTION record_completion();`);
  return {
    totals: async () => {
      const [row] = await sql<AuditTotals[]>`
        SELECT (SELECT count(*)::int FROM jobs WHERE state = 'completed') AS completed,
               (SELECT count(*)::int FROM completions) AS recorded,
               (SELECT count(DISTINCT job_id)::int FROM completions) AS "distinctRecorded"`;
      if (row === undefined) throw new Error('no audit totals');
      return row;
    },
  };
}
