import { ValidationError } from '@jobs/core';
import type postgres from 'postgres';

/** Anything with node-postgres' `query(text, values)`: a PoolClient, or a two-line wrapper. */
export interface QueryableTransaction {
  query(
    text: string,
    values: unknown[],
  ): Promise<{ readonly rows: readonly unknown[] } | readonly unknown[]>;
}

/** A drizzle-orm transaction over postgres-js: what `db.transaction(async (tx) => ...)` passes. */
export interface DrizzlePostgresJsTransaction {
  /** Internal to drizzle: the session holding postgres-js' TransactionSql. */
  readonly session: { readonly client: postgres.Sql };
}

/** The transactions `withTransaction` accepts from a caller. */
export type CallerTransaction =
  | postgres.TransactionSql
  | DrizzlePostgresJsTransaction
  | QueryableTransaction;

/** Runs one statement on a caller's transaction and returns its rows. */
export type RunStatement = <T>(text: string, params: readonly string[]) => Promise<T[]>;

function hasUnsafe(value: unknown): value is postgres.Sql {
  return (
    typeof value === 'function' && typeof (value as { unsafe?: unknown }).unsafe === 'function'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** postgres-js: `unsafe` with the statement prepared, as on the store's own pool. */
function postgresJsRunner(sql: postgres.Sql): RunStatement {
  return async <T>(text: string, params: readonly string[]) =>
    [...(await sql.unsafe(text, [...params], { prepare: true }))] as T[];
}

/**
 * How to run statements on `tx`, without opening a connection of the store's: a postgres-js
 * TransactionSql, a drizzle transaction (over postgres-js, or over node-postgres: its
 * session's client), or anything with `query(text, values)` answering `{ rows }` or the rows.
 * Anything else, a postgres-js pool included, is a ValidationError naming `tx`.
 */
export function callerRunner(tx: unknown): RunStatement {
  if (hasUnsafe(tx)) {
    if (typeof (tx as { savepoint?: unknown }).savepoint !== 'function') {
      throw new ValidationError(
        'tx',
        'is a postgres-js pool, not a transaction: pass the tx of sql.begin(async (tx) => ...)',
      );
    }
    return postgresJsRunner(tx);
  }
  if (isObject(tx)) {
    const session = tx.session;
    if (isObject(session) && (hasUnsafe(session.client) || isObject(session.client))) {
      return callerRunner(session.client);
    }
    const query = tx.query;
    if (typeof query === 'function') {
      return async <T>(text: string, params: readonly string[]) => {
        const result: unknown = await query.call(tx, text, [...params]);
        if (Array.isArray(result)) return result as T[];
        if (isObject(result) && Array.isArray(result.rows)) return result.rows as T[];
        throw new ValidationError('tx', 'query(text, values) must answer { rows } or the rows');
      };
    }
  }
  throw new ValidationError(
    'tx',
    'must be a drizzle transaction, a postgres-js TransactionSql ' +
      'or an object with query(text, values)',
  );
}
