/**
 * The bulk insert by COPY, for batches where every job is inserted (no unique keys), in one
 * transaction: one statement takes the batch's ids from the table's sequence and reads the
 * transaction's clock; then the rows stream in with `COPY jobs FROM STDIN`, chunk after chunk
 * as the caller hands them over, so that the server writes one chunk while the next is still
 * being checked and encoded; then the queues named are recorded. States and times are
 * computed here from that clock, exactly as the insert statement computes them (the jobs are
 * known before the server has written them); the insert trigger sends the same notifications
 * as for an `INSERT`.
 */
import type { EnqueuedJob, NewJob } from '@jobs/core';
import type postgres from 'postgres';
import { pgArray } from '../pg-array.js';
import { type InsertedSpan, jobsAt, spanIds } from './insert-span.js';

/**
 * Takes $1 ids from the jobs' sequence, in increasing order: the span of them (listed when
 * another session took ids in between), and the transaction's clock.
 */
const reserveIds = (tables: string) => `WITH ids AS (
    SELECT nextval('${tables}jobs_id_seq') AS id FROM generate_series(1, $1::int)
  ), span AS (SELECT min(id) AS first, max(id) AS last, count(*) AS n FROM ids)
  SELECT (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us,
         span.first::text AS first, span.n::int AS n,
         CASE WHEN span.last - span.first + 1 = span.n THEN NULL
              ELSE (SELECT string_agg(id::text, ',' ORDER BY id) FROM ids) END AS ids
    FROM span`;

/** The columns COPY writes; the others take their defaults (created_at: the clock read above). */
const copyJobsStatement = (tables: string) => `COPY ${tables}jobs (id, queue, handler, method,
  params, priority, state, max_attempts, run_at, timeout_ms, tags, backoff, concurrency_key,
  trace_context) FROM STDIN`;

/** Records the queues named ($1), as the insert statement does. */
const nameQueues = (tables: string) =>
  `INSERT INTO ${tables}job_queues (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`;

/** The statements with table names as a target needs them (see `statementsFor` in insert.ts). */
export interface CopyStatements {
  readonly reserveIds: string;
  readonly copyJobs: string;
  readonly nameQueues: string;
}

export function copyStatementsFor(tables: string): CopyStatements {
  return {
    reserveIds: reserveIds(tables),
    copyJobs: copyJobsStatement(tables),
    nameQueues: nameQueues(tables),
  };
}

/** True when `job` can go by COPY: no unique key, and a time the client computes exactly. */
export function copyable(job: NewJob): boolean {
  return job.uniqueKey === null && ('at' in job.runAt || Number.isInteger(job.runAt.delayMs));
}

/**
 * Inserts `count` jobs (none with a unique key) arriving in `chunks`, on `tx`, an open
 * transaction, and returns them in input order, ids increasing. When `chunks` throws, the COPY
 * is abandoned and the error rethrown (the transaction is then to be rolled back).
 */
export async function copyJobs(
  tx: postgres.TransactionSql,
  statements: CopyStatements,
  count: number,
  chunks: AsyncIterable<readonly NewJob[]>,
): Promise<EnqueuedJob[]> {
  const pending = chunks[Symbol.asyncIterator]();
  // The first chunk is checked before ids are taken: a job refused at once wastes none.
  let next = await pending.next();
  const [span] = await tx.unsafe<InsertedSpan[]>(statements.reserveIds, [String(count)], {
    prepare: true,
  });
  const ids = span === undefined ? [] : spanIds(span);
  if (span === undefined || ids.length !== count) {
    throw new Error(`took ${ids.length} ids for ${count} jobs`);
  }
  const nowUs = Number(span.now_us);
  const copy = await startCopy(tx, statements.copyJobs);
  const out: EnqueuedJob[] = [];
  const queues = new Set<string>();
  const encode = rowEncoder(nowUs);
  try {
    for (; next.done !== true; next = await pending.next()) {
      const chunk = next.value;
      if (out.length + chunk.length > count) throw new Error(`more than ${count} jobs to insert`);
      if (!chunk.every(copyable)) {
        throw new Error(
          'a job with a unique key, or a delay in parts of a millisecond, cannot go by COPY',
        );
      }
      const jobs = jobsAt(chunk, ids, out.length, nowUs);
      let rows = '';
      for (const [i, job] of jobs.entries()) {
        queues.add(job.queue);
        rows += encode(chunk[i] as NewJob, job.id, job.state);
      }
      await copy.write(rows);
      for (const job of jobs) out.push(job);
    }
    if (out.length !== count) throw new Error(`${out.length} jobs to insert, not ${count}`);
  } catch (error) {
    await copy.abandon(error);
    // Lets the producer of the chunks clean up when it was not the one that failed.
    await pending.return?.();
    throw error;
  }
  await copy.end();
  await tx.unsafe(statements.nameQueues, [pgArray([...queues])], { prepare: true });
  return out;
}

/** A COPY under way: rows written as they come, then ended, or abandoned. */
interface CopyIn {
  /** Writes rows; waits while the server is behind, and throws as soon as it refused. */
  write(rows: string): Promise<void>;
  /** Ends the data; settles with the server's answer. */
  end(): Promise<void>;
  /** Stops sending (the server then refuses the COPY with `error`) and waits for its answer. */
  abandon(error: unknown): Promise<void>;
}

/**
 * Starts `COPY ... FROM STDIN` (`statement`) on `tx`. The server's answer settles every wait:
 * postgres-js (3.4.9) never settles a COPY's stream when the server refuses the data after its
 * end (the error goes to the query, already answered with the stream), so the query's
 * rejection is taken as well.
 */
async function startCopy(tx: postgres.TransactionSql, statement: string): Promise<CopyIn> {
  const query = tx.unsafe(statement) as unknown as PendingCopy;
  const refused = new Promise<never>((_, reject) => {
    const ownReject = query.reject;
    query.reject = (error) => {
      reject(error);
      ownReject(error);
    };
  });
  // Never left unhandled when the COPY succeeds.
  refused.catch(() => {});
  const stream = await query.writable();
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const settled = Promise.race([finished, refused]);
  settled.catch(() => {});
  return {
    async write(rows) {
      const written = stream.write(rows);
      // Give the socket the rows before encoding more (or wait until it took them).
      await Promise.race([
        settled,
        new Promise((resolve) => (written ? setImmediate(resolve) : stream.once('drain', resolve))),
      ]);
    },
    end() {
      stream.end();
      return settled;
    },
    async abandon(error) {
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
      await settled.catch(() => {});
    },
  };
}

/** What `startCopy` uses of a postgres-js query for COPY: its stream, and how it is rejected. */
interface PendingCopy {
  writable(): Promise<import('node:stream').Writable>;
  reject: (error: unknown) => void;
}

/**
 * Encodes one job as a COPY text row, given its id and first state, on the clock `nowUs`
 * (microseconds): a delay is due `delayMs` after it, to the microsecond, as the insert
 * statement computes it. Repeated values (times, retry policies) are encoded once.
 */
function rowEncoder(nowUs: number): (job: NewJob, id: string, state: string) => string {
  const dueAt = new Map<number, string>();
  const backoffs = new Map<object, string>();
  return (job, id, state) => {
    let runAt: string;
    if ('at' in job.runAt) runAt = job.runAt.at.toISOString();
    else {
      const delayMs = job.runAt.delayMs;
      runAt = dueAt.get(delayMs) ?? microsecondText(nowUs + delayMs * 1000);
      dueAt.set(delayMs, runAt);
    }
    let backoff = backoffs.get(job.backoff);
    if (backoff === undefined) {
      backoff = copyText(JSON.stringify(job.backoff));
      backoffs.set(job.backoff, backoff);
    }
    const trace = job.traceContext ?? null;
    return `${id}\t${copyText(job.queue)}\t${copyText(job.handler)}\t${copyText(job.method)}\t${copyText(JSON.stringify(job.params))}\t${job.priority}\t${state}\t${job.maxAttempts}\t${runAt}\t${job.timeoutMs ?? NULL}\t${job.tags.length === 0 ? '{}' : copyText(pgArray(job.tags))}\t${backoff}\t${job.concurrencyKey === null ? NULL : copyText(job.concurrencyKey)}\t${trace === null ? NULL : copyText(JSON.stringify(trace))}\n`;
  };
}

/** NULL in COPY text. */
const NULL = '\\N';

/** `text` as a COPY text field: backslash, tab, newline and carriage return escaped. */
function copyText(text: string): string {
  if (!/[\\\t\n\r]/.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (ch) =>
    ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r',
  );
}

/** A time in microseconds since the epoch as ISO text with all six fractional digits. */
function microsecondText(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}
