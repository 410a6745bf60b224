import { DEFAULT_KEY_CONCURRENCY, RUNNABLE_STATES } from '@jobs/core';
import { sqlList } from './state-list.js';

/**
 * Terminology
 * - limited queue: a queue whose settings row sets `concurrency` or `rate_limit`, or that has
 *   waiting jobs with a concurrency key. Its jobs are claimed only here; the unlimited claim
 *   (`jobs_claim_candidates`) skips them and keeps its plan.
 * - claim lock: a transaction-scoped advisory lock per queue, taken before anything is counted,
 *   so that two claims of one queue never count the same free slot (each count runs after the
 *   lock, in its own snapshot, and sees every claim committed before it).
 */

/** The function that picks the rows of limited queues (created by migration 0013). */
export const CLAIM_LIMITED_FUNCTION = 'jobs_claim_limited';

const RUNNABLE = sqlList(RUNNABLE_STATES);
/** Keyed jobs the limited claim reads at a time (see the keyed branch below). */
const KEYED_PAGE = 256;
const RUNNING = sqlList(['running']);

/**
 * The body of `jobs_claim_limited(lim, only_queues)`: for each limited, unpaused queue (of
 * `only_queues` unless null) with waiting jobs, in name order (so that claim locks are always
 * taken in one order), takes its claim lock and picks at most as many due jobs as the queue's
 * free slots, its rate window and the busy concurrency keys allow, up to `lim` in all. Running
 * jobs whose lease expired hold no slot. Starts of rate-limited queues are recorded at the
 * claim's time (`now()`, the jobs' `started_at`), on the database clock.
 */
export function claimLimitedBody(): string {
  return `
DECLARE
  q record;
  room integer;
  free integer;
  total integer := 0;
  picked bigint[];
  keyed bigint[];
  busy_keys text[];
  busy_counts integer[];
  key_room integer;
  kj record;
  i integer;
  page_from integer;
  seen integer;
BEGIN
  IF lim IS NULL OR lim <= 0 THEN
    RETURN;
  END IF;
  FOR q IN
    SELECT s.name, s.concurrency, s.key_concurrency, s.rate_limit, s.rate_period_ms
      FROM job_queues s
     WHERE NOT s.paused
       AND (only_queues IS NULL OR s.name = ANY(only_queues))
       AND ((s.concurrency IS NOT NULL OR s.rate_limit IS NOT NULL)
            AND EXISTS (SELECT 1 FROM jobs w WHERE w.queue = s.name AND w.state IN (${RUNNABLE}))
         OR EXISTS (SELECT 1 FROM jobs k WHERE k.queue = s.name AND k.concurrency_key IS NOT NULL
                                          AND k.state IN (${RUNNABLE})))
     ORDER BY s.name
  LOOP
    EXIT WHEN total >= lim;
    PERFORM pg_advisory_xact_lock(hashtextextended('jobs:limit:' || current_schema() || ':' || q.name, 0));
    room := lim - total;
    IF q.concurrency IS NOT NULL THEN
      SELECT q.concurrency - count(*)::integer INTO free FROM jobs r
       WHERE r.state = ${RUNNING} AND r.queue = q.name AND r.lease_expires_at > clock_timestamp();
      room := least(room, free);
    END IF;
    IF room > 0 AND q.rate_limit IS NOT NULL THEN
      -- Every count includes the starts recorded at times after this claim's own (claims that
      -- began later but took the lock first), so each window holding this claim's time stays
      -- within the rate. Starts are dropped a minute after their window, so that a claim that
      -- began earlier and waited for the lock still counts them.
      DELETE FROM job_queue_starts
       WHERE queue = q.name
         AND started_at <= now() - q.rate_period_ms * interval '1 millisecond' - interval '1 minute';
      SELECT q.rate_limit - count(*)::integer INTO free FROM job_queue_starts
       WHERE queue = q.name AND started_at > now() - q.rate_period_ms * interval '1 millisecond';
      room := least(room, free);
    END IF;
    CONTINUE WHEN room <= 0;
    IF NOT EXISTS (SELECT 1 FROM jobs k WHERE k.queue = q.name AND k.concurrency_key IS NOT NULL
                      AND k.state IN (${RUNNABLE})) THEN
      -- No keyed jobs wait: the queue's first due jobs in claim order, read from the index
      -- (keyless only: a keyed job inserted since the check waits for the next claim).
      SELECT array_agg(c.id) INTO picked FROM (
        SELECT j.id FROM jobs j
         WHERE j.queue = q.name AND j.state IN (${RUNNABLE}) AND j.concurrency_key IS NULL
           AND j.run_at <= now() AND j.attempt < j.max_attempts
         ORDER BY j.priority DESC, j.run_at, j.id
         LIMIT room
         FOR UPDATE SKIP LOCKED
      ) c;
    ELSE
      -- Keyed jobs wait. The keys' running jobs, counted once (few: at most the running jobs).
      SELECT coalesce(array_agg(b.key), '{}'), coalesce(array_agg(b.n), '{}')
        INTO busy_keys, busy_counts
        FROM (SELECT r.concurrency_key AS key, count(*)::integer AS n FROM jobs r
               WHERE r.state = ${RUNNING} AND r.queue = q.name AND r.concurrency_key IS NOT NULL
                 AND r.lease_expires_at > clock_timestamp()
               GROUP BY r.concurrency_key) b;
      key_room := COALESCE(q.key_concurrency, ${DEFAULT_KEY_CONCURRENCY});
      keyed := '{}';
      -- The queue's keyed jobs in claim order (jobs_keyed_waiting_idx), a key's next ones taken
      -- only while it has room, until the queue's room is filled: the scan stops there, so it
      -- reads about as many jobs as it takes when keys interleave, and passes over the jobs of
      -- busy keys (all of them only when they fill the head of the queue). It reads pages of
      -- ${KEYED_PAGE} (a LIMIT the planner sees, so that it reads the index in order rather than
      -- sorting the whole backlog); a job read twice as pages shift is taken once.
      page_from := 0;
      LOOP
        seen := 0;
        FOR kj IN
          SELECT w.id, w.concurrency_key AS key FROM jobs w
           WHERE w.queue = q.name AND w.concurrency_key IS NOT NULL AND w.state IN (${RUNNABLE})
             AND w.run_at <= now() AND w.attempt < w.max_attempts
           ORDER BY w.priority DESC, w.run_at, w.id
           LIMIT ${KEYED_PAGE} OFFSET page_from
        LOOP
          seen := seen + 1;
          CONTINUE WHEN kj.id = ANY(keyed);
          i := array_position(busy_keys, kj.key);
          IF i IS NULL THEN
            busy_keys := busy_keys || kj.key;
            busy_counts := busy_counts || 0;
            i := cardinality(busy_keys);
          END IF;
          CONTINUE WHEN busy_counts[i] >= key_room;
          busy_counts[i] := busy_counts[i] + 1;
          keyed := keyed || kj.id;
          EXIT WHEN cardinality(keyed) >= room;
        END LOOP;
        EXIT WHEN cardinality(keyed) >= room OR seen < ${KEYED_PAGE};
        page_from := page_from + ${KEYED_PAGE};
      END LOOP;
      -- With the queue's jobs that carry no key (its first due ones, read from the index), the
      -- first in claim order, locked; a job taken meanwhile is skipped.
      SELECT array_agg(c.id) INTO picked FROM (
        SELECT j.id FROM jobs j
         WHERE j.id IN (
                 SELECT unnest(keyed)
                 UNION ALL
                 (SELECT u.id FROM jobs u
                   WHERE u.queue = q.name AND u.state IN (${RUNNABLE}) AND u.concurrency_key IS NULL
                     AND u.run_at <= now() AND u.attempt < u.max_attempts
                   ORDER BY u.priority DESC, u.run_at, u.id
                   LIMIT room))
           AND j.state IN (${RUNNABLE}) AND j.run_at <= now() AND j.attempt < j.max_attempts
         ORDER BY j.priority DESC, j.run_at, j.id
         LIMIT room
         FOR UPDATE SKIP LOCKED
      ) c;
    END IF;
    CONTINUE WHEN picked IS NULL;
    IF q.rate_limit IS NOT NULL THEN
      INSERT INTO job_queue_starts (queue, started_at) SELECT q.name, now() FROM unnest(picked);
    END IF;
    total := total + cardinality(picked);
    RETURN QUERY SELECT unnest(picked);
  END LOOP;
END
`;
}

/**
 * The statement a migration writes to (re-)create the function. It runs with sequential scans
 * off: its look-ups for waiting jobs ("does this queue have keyed jobs waiting?") would
 * otherwise be planned as a scan of the table from its start, which reads through every
 * finished job there before it finds a waiting one; each has an index to read instead.
 */
export function claimLimitedFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "${CLAIM_LIMITED_FUNCTION}"("lim" integer, "only_queues" text[])
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
ROWS 10
SET enable_seqscan = off
AS $$${claimLimitedBody()}$$;`;
}
