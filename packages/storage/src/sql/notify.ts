/**
 * Job-change notifications, sent from inside the statement that changes the jobs: one
 * `pg_notify` per statement (per 250 ids, so a payload stays under PostgreSQL's 8000 bytes)
 * listing the ids by their new state. The payload is read back by `parseEvents`.
 */

/** The statements that announce what they changed; `parseEvents` turns each into events. */
export type ChangeOp =
  | 'claim'
  | 'complete'
  | 'fail'
  | 'release'
  | 'cancel'
  | 'retry'
  | 'progress'
  | 'delete';

/**
 * Ops whose notifications workers act on (cancel aborts a running job; release and retry wake
 * idle workers): sent whatever the session's `jobs.change_events` setting says.
 */
const ALWAYS_SENT: ReadonlySet<ChangeOp> = new Set(['cancel', 'release', 'retry']);

/**
 * The session setting that turns the dashboard's change feed off for a connection's
 * statements (`off`); unset or anything else means on. See `ConnectionOptions.changeEvents`.
 */
export const CHANGE_EVENTS_SETTING = 'jobs.change_events';

/** Ids per notification: 250 ids of at most 19 digits fit in 8000 bytes with room to spare. */
export const IDS_PER_NOTIFICATION = 250;

/**
 * CTEs (to follow a `WITH source AS (... RETURNING ..., id, state)`) that notify this schema's
 * channel about the rows of `source`. The statement must end with `notifiedJoin()` so that
 * they run: a SELECT in a WITH clause is only evaluated when something reads it.
 */
export function notifyChangesCtes(op: ChangeOp, source: string): string {
  const enabled = ALWAYS_SENT.has(op)
    ? ''
    : `WHERE current_setting('${CHANGE_EVENTS_SETTING}', true) IS DISTINCT FROM 'off'`;
  return `notify_numbered AS (
      SELECT s.id, s.state, (row_number() OVER () - 1) / ${IDS_PER_NOTIFICATION} AS chunk
        FROM ${source} s ${enabled}
    ), notify_grouped AS (
      SELECT chunk, state, json_agg(id::text) AS ids FROM notify_numbered GROUP BY chunk, state
    ), notified AS (
      SELECT pg_notify('jobs:' || current_schema(),
               json_build_object('type', 'changed', 'op', '${op}',
                                 'states', json_object_agg(state, ids))::text) AS sent
        FROM notify_grouped GROUP BY chunk
    )`;
}

/** Joined to the statement's final SELECT to make the notifications run (one row, no columns used). */
export const NOTIFIED_JOIN = 'CROSS JOIN (SELECT count(*) FROM notified) AS notified_count';
