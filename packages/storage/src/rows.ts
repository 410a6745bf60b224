import { insertedJob, type Job, type JobState, type NewJob, readTraceCarrier } from '@jobs/core';
import { getTableColumns } from 'drizzle-orm';
import { readBackoff, readErrors, readLogs, readTags } from './row-shapes.js';
import { type JobRow, jobs } from './schema.js';

const COLUMNS = getTableColumns(jobs);

/**
 * The `jobs` columns aliased to drizzle's property names, for raw statements'
 * `RETURNING`, so raw and query-builder reads share `rowToJob`.
 */
export const JOB_COLUMNS_SQL = Object.entries(COLUMNS)
  .map(([key, column]) => `j."${column.name}" AS "${key}"`)
  .join(', ');

/** What `rowToJob` reads of a row. */
export type JobFields = Omit<JobRow, 'hasDependents'>;

/**
 * The columns a claim returns, in this order (`CLAIMED_COLUMNS_SQL`): every column `rowToJob`
 * reads but the state and the lease owner, which the claim itself sets.
 */
const CLAIMED_KEYS = [
  'id',
  'queue',
  'handler',
  'method',
  'params',
  'priority',
  'attempt',
  'maxAttempts',
  'runAt',
  'createdAt',
  'startedAt',
  'finishedAt',
  'leaseExpiresAt',
  'timeoutMs',
  'progress',
  'result',
  'errors',
  'errorsDropped',
  'logs',
  'uniqueKey',
  'tags',
  'backoff',
  'scheduleName',
  'scheduleTick',
  'concurrencyKey',
  'traceContext',
] as const satisfies readonly Exclude<keyof JobFields, 'state' | 'leaseOwner'>[];

/** `CLAIMED_KEYS` as the column list of a `RETURNING` on `jobs j`. */
export const CLAIMED_COLUMNS_SQL = CLAIMED_KEYS.map((key) => `j."${COLUMNS[key].name}"`).join(', ');

/** Columns whose empty value a claim sends as NULL: a queued job's usual value, read as empty. */
const EMPTY_AS_NULL: Partial<Record<(typeof CLAIMED_KEYS)[number], string>> = {
  errors: `'[]'::jsonb`,
  logs: `'[]'::jsonb`,
  tags: `'{}'::text[]`,
};

/**
 * `CLAIMED_KEYS` read from `source` (a CTE returning `CLAIMED_COLUMNS_SQL`), with an empty
 * errors, logs or tags value sent as NULL: nothing for the driver to decode and parse, and
 * `rowToJob` reads NULL as empty.
 */
export function claimedColumnsFrom(source: string): string {
  return CLAIMED_KEYS.map((key) => {
    const column = `${source}."${COLUMNS[key].name}"`;
    const empty = EMPTY_AS_NULL[key];
    return empty === undefined ? column : `NULLIF(${column}, ${empty})`;
  }).join(', ');
}

/** How many values of a claimed row are job columns (any further ones are the claim's own). */
export const CLAIMED_COLUMN_COUNT = CLAIMED_KEYS.length;

/**
 * A row of a claim, as the driver returns it when asked for arrays (`values()`), read as the
 * row `rowToJob` maps: one array per row, where an object per row took thirty property stores
 * one by one (and the growth of its property store). The state is `running` and the lease
 * owner the claiming worker, as the claim set them; the other fields are getters over the
 * array, defined below from `CLAIMED_KEYS`.
 */
class ClaimedRow {
  constructor(
    readonly values: readonly unknown[],
    readonly leaseOwner: string,
  ) {}

  get state(): string {
    return 'running';
  }
}
for (const [index, key] of CLAIMED_KEYS.entries()) {
  Object.defineProperty(ClaimedRow.prototype, key, {
    get(this: ClaimedRow) {
      return this.values[index];
    },
  });
}

/** The fields of a claimed row (`values` in `CLAIMED_KEYS` order), for `rowToJob`. */
export function claimedRow(values: readonly unknown[], leaseOwner: string): JobFields {
  // Its prototype's getters give every other field (see ClaimedRow).
  return new ClaimedRow(values, leaseOwner) as unknown as JobFields;
}

/**
 * A timestamp reader for one column that remembers the last text it parsed: the rows of one
 * statement often share a time (a claim's start and lease, a batch's creation), and a Date
 * made from a number costs a fraction of one parsed from text. Each text read gives a new Date
 * (a Date the driver already made is passed on as it is).
 */
function dateReader(): (value: string | Date) => Date {
  let lastText = '';
  let lastMs = Number.NaN;
  return (value) => {
    if (value instanceof Date) return value;
    if (value !== lastText) {
      lastMs = Date.parse(value);
      lastText = value;
    }
    return new Date(lastMs);
  };
}

const runAtDate = dateReader();
const createdAtDate = dateReader();
const startedAtDate = dateReader();
const finishedAtDate = dateReader();
const leaseDate = dateReader();

/** Reads a timestamp that is not a job column (a statistic's minute, a summary's end). */
export const toDate: (value: string | Date) => Date = dateReader();

function orNull(read: (value: string | Date) => Date, value: string | Date | null): Date | null {
  return value === null ? null : read(value);
}

/**
 * Maps one row to the domain type; the only place that knows both shapes. Any row the table's
 * checks allow reads without throwing, old hand-written ones included (see `row-shapes.ts`);
 * `params` is passed on as stored, so that a worker fails a job whose params are not an array.
 */
export function rowToJob(row: JobFields): Job {
  return {
    id: String(row.id),
    queue: row.queue,
    handler: row.handler,
    method: row.method,
    params: row.params,
    priority: row.priority,
    state: row.state as JobState,
    attempt: row.attempt,
    maxAttempts: row.maxAttempts,
    runAt: runAtDate(row.runAt),
    createdAt: createdAtDate(row.createdAt),
    startedAt: orNull(startedAtDate, row.startedAt),
    finishedAt: orNull(finishedAtDate, row.finishedAt),
    leaseOwner: row.leaseOwner,
    leaseExpiresAt: orNull(leaseDate, row.leaseExpiresAt),
    timeoutMs: row.timeoutMs,
    progress: row.progress ?? null,
    result: row.result ?? null,
    errors: readErrors(row.errors),
    errorsDropped: row.errorsDropped,
    logs: readLogs(row.logs),
    uniqueKey: row.uniqueKey,
    tags: readTags(row.tags),
    backoff: readBackoff(row.backoff),
    schedule:
      row.scheduleName === null
        ? null
        : { name: row.scheduleName, tick: orNull(toDate, row.scheduleTick) },
    concurrencyKey: row.concurrencyKey ?? null,
    traceContext: row.traceContext === null ? null : readTraceCarrier(row.traceContext),
  };
}

/** What an insert reads back: the values the database chose (the rest is what was sent). */
export interface InsertedRow {
  readonly id: string;
  readonly state: string;
  readonly run_at: string | Date;
  readonly created_at: string | Date;
}

/** `INSERTED_COLUMNS_SQL` reads these from `jobs j` for `InsertedRow`. */
export const INSERTED_COLUMNS_SQL = 'j.id::text AS id, j.state, j.run_at, j.created_at';

/**
 * The job just inserted from `input`, with the id, state and times the database chose. Reading
 * the whole row back would parse every job's JSON again. The same JSON values a later read
 * returns, though object keys may come back in another order (jsonb stores them sorted).
 */
export function jobFromInsert(input: NewJob, row: InsertedRow): Job {
  return insertedJob(input, {
    id: row.id,
    state: row.state as JobState,
    runAt: runAtDate(row.run_at),
    createdAt: createdAtDate(row.created_at),
  });
}
