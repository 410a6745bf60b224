import { performance } from 'node:perf_hooks';
import { createClient } from '@jobs/core';
import postgres from 'postgres';
import type { CaseContext } from '../context.js';
import { handlers } from '../handlers.js';
import { round, summarize } from '../stats.js';

/** How one job is enqueued: on the store's own pool, or inside a caller's transaction. */
export const ENQUEUE_TX_VARIANTS = ['plain', 'caller-transaction'] as const;
export type EnqueueTxVariant = (typeof ENQUEUE_TX_VARIANTS)[number];

/** Per-call latency of enqueuing one job, one call at a time. */
export interface EnqueueTxResult {
  readonly case: string;
  readonly calls: number;
  /** Milliseconds of the enqueue call alone. */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** Milliseconds of the caller's whole transaction (BEGIN, enqueue, COMMIT); plain: null. */
  readonly transactionP50: number | null;
  readonly transactionP99: number | null;
  readonly problems: string[];
}

/**
 * `calls` enqueues of one job, one after the other, after 50 unmeasured warm-up calls: with
 * `client.enqueue` on the store's pool (`plain`), or with `client.withTransaction(tx).enqueue`
 * inside `sql.begin` on the application's own postgres-js pool (`caller-transaction`), where
 * the enqueue call is timed alone and the whole transaction beside it.
 */
export async function runEnqueueTx(
  ctx: CaseContext,
  options: { variant: EnqueueTxVariant; calls: number },
): Promise<EnqueueTxResult> {
  const store = await ctx.db.reset();
  const client = createClient(store, handlers);
  const app = postgres(ctx.db.url, { max: 1, onnotice: () => {} });
  const calls: number[] = [];
  const transactions: number[] = [];
  const once = async (measure: boolean) => {
    if (options.variant === 'plain') {
      const started = performance.now();
      await client.enqueue('bench', 'noop', []);
      if (measure) calls.push(performance.now() - started);
      return;
    }
    const began = performance.now();
    await app.begin(async (tx) => {
      const started = performance.now();
      await client.withTransaction(tx).enqueue('bench', 'noop', []);
      if (measure) calls.push(performance.now() - started);
    });
    if (measure) transactions.push(performance.now() - began);
  };
  try {
    for (let i = 0; i < 50; i++) await once(false);
    await ctx.begin();
    for (let i = 0; i < options.calls; i++) await once(true);
    await ctx.end();
    const [row] = await store.connection.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM jobs`;
    const expected = options.calls + 50;
    const problems = row?.n === expected ? [] : [`${row?.n} jobs stored, ${expected} expected`];
    const call = summarize(calls);
    const whole = transactions.length === 0 ? null : summarize(transactions);
    return {
      case: `enqueue 1 job, ${options.variant}`,
      calls: options.calls,
      p50: round(call.p50, 2),
      p95: round(call.p95, 2),
      p99: round(call.p99, 2),
      max: round(call.max, 2),
      transactionP50: whole === null ? null : round(whole.p50, 2),
      transactionP99: whole === null ? null : round(whole.p99, 2),
      problems,
    };
  } finally {
    await app.end({ timeout: 5 });
  }
}
