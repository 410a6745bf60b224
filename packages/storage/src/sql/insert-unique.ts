/**
 * Inserting jobs with unique keys, race-free under any number of concurrent enqueuers.
 *
 * 1. Every key of the batch is locked with a transaction-level advisory lock, in one statement
 *    and in a fixed order (so two batches never deadlock on each other). An enqueuer of the
 *    same key (this store, or the SQL function `enqueue`) waits until the holder's transaction
 *    ends.
 * 2. Then, in a new statement (under READ COMMITTED: a new snapshot, taken after the lock, so
 *    every job of that key committed before sees it), the insert skips each job for which a
 *    holder exists under its rule (`UniqueRule`: the states that count, and the window for
 *    finished ones), and `ON CONFLICT DO NOTHING` on the partial unique index skips a second
 *    unfinished job of one key in the same batch (or a row written by hand without the lock).
 * 3. Each skipped job is answered with its holder, read in the same transaction.
 *
 * A partial unique index alone cannot express a window ("created less than N seconds ago"),
 * hence the lock. Unfinished jobs always hold their key, so the index still backs the rule.
 */
import {
  compareJobIds,
  DEFAULT_UNIQUE_RULE,
  type EnqueuedJob,
  type Job,
  type NewJob,
  UNFINISHED_STATES,
  ValidationError,
} from '@jobs/core';
import type { RunStatement } from '../caller-transaction.js';
import { pgArray } from '../pg-array.js';
import {
  INSERTED_COLUMNS_SQL,
  type InsertedRow,
  JOB_COLUMNS_SQL,
  jobFromInsert,
  rowToJob,
} from '../rows.js';
import type { JobRow } from '../schema.js';
import { sqlList } from './state-list.js';

/**
 * The first key of the two-key advisory locks taken per unique key (the second is the key's
 * hashtext). Two-key locks never collide with the one-key locks of migrations and rescue.
 */
export const UNIQUE_LOCK_CLASS = 0x6a6f6273; // 'jobs'

/** Locks the keys ($1), in hash order; reads the transaction's isolation level. */
export const lockKeysStatement = `SELECT current_setting('transaction_isolation') AS isolation,
       count(pg_advisory_xact_lock(${UNIQUE_LOCK_CLASS}, h)) AS locked
  FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY 1) AS keys`;

/**
 * SQL: whether job `j` holds a key under a rule, the key and rule given as SQL expressions
 * (`states`: a text[] of the counted states; `forMs`: the window, NULL for none): same key, a
 * counted state, and for a finished job under a window, created less than `forMs` ago.
 */
export function holdsKeySql(
  j: string,
  rule: { readonly key: string; readonly states: string; readonly forMs: string },
): string {
  return `${j}.unique_key = ${rule.key}
       AND ${j}.state = ANY(${rule.states})
       AND (${rule.forMs} IS NULL OR ${j}.state IN (${sqlList(UNFINISHED_STATES)})
            OR ${j}.created_at > now() - ${rule.forMs} * interval '1 millisecond')`;
}

/** `holdsKeySql` for an input row `i` (unique_key, unique_states or NULL, unique_for_ms). */
function holdsKey(j: string, i: string): string {
  return holdsKeySql(j, {
    key: `${i}.unique_key`,
    states: `string_to_array(COALESCE(${i}.unique_states, '${DEFAULT_UNIQUE_RULE.states.join(',')}'), ',')`,
    forMs: `${i}.unique_for_ms`,
  });
}

/**
 * The filter the insert applies to its input (`due`, with `key_rank`: 1 for the first job of
 * its key in the batch): a job with a key is inserted only if it is the first of its key in
 * the batch and no job holds the key under its rule. Later jobs of a key get the first's answer.
 */
export function heldFilter(tables: string): string {
  return `WHERE due.unique_key IS NULL OR (due.key_rank = 1 AND NOT EXISTS (
       SELECT 1 FROM ${tables}jobs h WHERE ${holdsKey('h', 'due')}))`;
}

/**
 * The holder of each key ($1) under each rule ($2 states, $3 window): the newest job that
 * holds it, else (it changed state since the insert looked) the newest job with that key.
 */
export function selectHoldersStatement(tables: string): string {
  return `SELECT DISTINCT ON (i.unique_key) i.unique_key AS holder_key, ${JOB_COLUMNS_SQL}
  FROM unnest($1::text[], $2::text[], $3::float8[]) AS i(unique_key, unique_states, unique_for_ms)
  JOIN ${tables}jobs j ON j.unique_key = i.unique_key
  ORDER BY i.unique_key, (${holdsKey('j', 'i')}) DESC, j.created_at DESC, j.id DESC`;
}

/** The rule of `job` as statement values: states (comma-separated) and window, NULL for defaults. */
export function ruleParams(job: NewJob): { states: string | null; forMs: number | null } {
  const rule = job.uniqueRule;
  if (rule === undefined) return { states: null, forMs: null };
  return { states: rule.states.join(','), forMs: rule.forMs };
}

/** What the unique path needs of an insert target. */
export interface UniqueInsertTarget {
  readonly insertChecked: string;
  readonly selectHolders: string;
  /** Runs `work` in one READ COMMITTED transaction (the caller's own, when it is one). */
  inTransaction<T>(work: (run: RunStatement) => Promise<T>): Promise<T>;
  /** True for a caller's transaction, whose isolation level the caller chose. */
  readonly callers: boolean;
}

type ReturnedRow = InsertedRow & { unique_key: string | null };
type HolderRow = JobRow & { holder_key: string };

/**
 * Inserts `input` (some jobs with unique keys) in chunks (`params` gives each chunk's statement
 * values) and answers every job in input order: inserted (`created`), or its key's holder.
 */
export function insertUniqueJobs(
  target: UniqueInsertTarget,
  input: readonly NewJob[],
  chunks: readonly (readonly NewJob[])[],
  params: (chunk: readonly NewJob[]) => string[],
): Promise<EnqueuedJob[]> {
  const keys = [
    ...new Set(input.flatMap((job) => (job.uniqueKey === null ? [] : [job.uniqueKey]))),
  ];
  return target.inTransaction(async (run) => {
    const [lock] = await run<{ isolation: string }>(lockKeysStatement, [pgArray(keys)]);
    if (target.callers && lock?.isolation !== 'read committed') checkIsolation(input, lock);
    const rows: ReturnedRow[] = [];
    for (const chunk of chunks)
      rows.push(...(await run<ReturnedRow>(target.insertChecked, params(chunk))));
    // Ids follow input order (each SELECT is ordered, chunks run in order).
    rows.sort((a, b) => compareJobIds(a.id, b.id));
    return matchHolders(run, target.selectHolders, input, rows);
  });
}

/**
 * Under REPEATABLE READ or SERIALIZABLE the lookup sees the transaction's first snapshot, not
 * the jobs committed while it waited for the lock: fine for unfinished holders (the unique
 * index still refuses a second one), not for finished ones, so such rules are refused.
 */
function checkIsolation(input: readonly NewJob[], lock: { isolation: string } | undefined): void {
  const ruled = input.find((job) => job.uniqueRule !== undefined);
  if (ruled === undefined) return;
  const field = ruled.uniqueRule?.forMs === null ? 'uniqueStates' : 'uniqueFor';
  throw new ValidationError(
    field,
    `needs a READ COMMITTED transaction (this one is ${lock?.isolation ?? 'unknown'})`,
  );
}

/**
 * Inserted rows back in input order; every other job answered with its key's holder (the
 * first job of its key in the batch, or the holder read now).
 */
async function matchHolders(
  run: RunStatement,
  selectHolders: string,
  input: readonly NewJob[],
  inserted: readonly ReturnedRow[],
): Promise<EnqueuedJob[]> {
  const byKey = new Map<string, Job>();
  const seen = new Set<string>();
  const missing = new Map<string, NewJob>();
  const out: (EnqueuedJob | string)[] = [];
  let next = 0;
  const take = (job: NewJob): EnqueuedJob => {
    const row = inserted[next];
    if (row === undefined) throw new Error('insert returned fewer rows than expected');
    next += 1;
    return { ...jobFromInsert(job, row), created: true };
  };
  for (const job of input) {
    const key = job.uniqueKey;
    if (key === null) {
      out.push(take(job));
    } else if (seen.has(key)) {
      out.push(key);
    } else {
      seen.add(key);
      if (inserted[next]?.unique_key === key) {
        const created = take(job);
        byKey.set(key, created);
        out.push(created);
      } else {
        missing.set(key, job);
        out.push(key);
      }
    }
  }
  if (next !== inserted.length) throw new Error('insert returned rows that match no job');
  if (missing.size > 0) {
    const asked = [...missing.values()];
    const holders = await run<HolderRow>(selectHolders, [
      pgArray(asked.map((job) => job.uniqueKey)),
      pgArray(asked.map((job) => ruleParams(job).states)),
      pgArray(asked.map((job) => ruleParams(job).forMs)),
    ]);
    for (const { holder_key: key, ...row } of holders) byKey.set(key, rowToJob(row as JobRow));
  }
  return out.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const holder = byKey.get(entry);
    // Deleted between the insert and this read, in the same transaction: rare; try again.
    if (holder === undefined) {
      throw new Error(
        `unique key "${entry}" is held by a job that was just deleted; enqueue again`,
      );
    }
    const { created: _, ...job } = holder as Job & { created?: boolean };
    return { ...job, created: false };
  });
}

/** What the checked insert returns per inserted row: its id, state, times and key. */
export const CHECKED_RETURNING = `${INSERTED_COLUMNS_SQL}, j.unique_key`;
