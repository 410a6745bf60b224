/**
 * The wake-up of workers waiting at a limit: a statement that takes jobs out of `running`
 * (completion, failure, rescue, cancel) adds these CTEs, and sends one `inserted` signal (the
 * one new jobs send, which wakes every worker's claim loop) when one of the jobs it changed
 * held a slot: it carried a concurrency key, or its queue has a concurrency limit. A statement
 * about unlimited queues reads the small queue-settings table once and sends nothing.
 *
 * `source` must return `queue` and the concurrency key (`keyColumn`) of the changed rows; the statement must
 * join `SLOT_FREED_JOIN` so that the CTE runs.
 */
export function slotFreedCte(source: string, keyColumn = 'concurrency_key'): string {
  return `slot_freed AS (
      SELECT pg_notify('jobs:' || current_schema(), '{"type":"inserted"}') AS sent
       WHERE EXISTS (SELECT 1 FROM ${source} f WHERE f."${keyColumn}" IS NOT NULL)
          OR EXISTS (SELECT 1 FROM job_queues fq WHERE fq.concurrency IS NOT NULL
                        AND fq.name IN (SELECT f.queue FROM ${source} f))
    )`;
}

/** Joined to the statement's final SELECT to make the wake-up run (one row, no columns used). */
export const SLOT_FREED_JOIN = 'CROSS JOIN (SELECT count(*) FROM slot_freed) AS slot_freed_count';
