import { formatPruneLogLine, hasRetention, type JobStore, type PruneBatch } from '@jobs/core';
import type { BackoffPolicy } from './backoff.js';
import type { Journal } from './journal.js';
import type { AppendLog } from './log-files.js';
import { Loop } from './loop.js';

/** Most batches one run deletes before letting the loop (and other processes) go again. */
const BATCHES_PER_RUN = 20;

/**
 * The retention pruner every worker runs: every `intervalMs` it deletes finished jobs whose
 * retention ran out, `batchSize` per transaction. The database lets one process prune at a
 * time; the others find it busy and wait for their next turn. Each batch is one line in the
 * job log. Null when the store has no retention (a test double).
 */
export function createPruner(options: {
  readonly store: JobStore;
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly jobLog: AppendLog;
  readonly journal: Journal;
  readonly workerId: string;
  readonly now: () => Date;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
}): Loop | null {
  const { store, intervalMs, batchSize, jobLog, journal, workerId, now } = options;
  if (intervalMs === 0 || !hasRetention(store)) return null;
  const onBatch = (batch: PruneBatch) => {
    jobLog.append(formatPruneLogLine(now(), batch, workerId));
    journal.events.emit('pruned', { batch });
  };
  return new Loop({
    intervalMs,
    delayFirst: false,
    task: async () => {
      const result = await store.jobPrune({ batchSize, maxBatches: BATCHES_PER_RUN, onBatch });
      if (result.deleted > 0) {
        journal.logger.info('pruned finished jobs', { count: result.deleted, more: result.more });
      }
      return result.more;
    },
    onError: (error) => journal.report(error, 'prune'),
    backoff: options.backoff,
    random: options.random,
  });
}
