import type { BulkTarget, MatchCount } from '../../api/bulk.js';
import type { JobAction } from '../../api/types.js';
import { plural } from '../../lib/format.js';

/** How each bulk action is worded: its button, its outcome, and what it does to which jobs. */
export const VERBS: Record<JobAction, { verb: string; done: string; note: string }> = {
  cancel: {
    verb: 'Cancel',
    done: 'Cancelled',
    note: 'Running jobs are told to stop. Jobs already finished are left as they are.',
  },
  retry: {
    verb: 'Retry',
    done: 'Queued again',
    note: 'Failed, cancelled, retrying and scheduled jobs run again now; others are left as they are.',
  },
  delete: {
    verb: 'Delete',
    done: 'Deleted',
    note: 'Deleted jobs are gone for good. Running jobs are not deleted: cancel them first.',
  },
};

/** A bulk action waiting for its confirmation. */
export interface PendingAction {
  readonly action: JobAction;
  readonly target: BulkTarget;
  /** How many jobs it is for; null while counting. */
  readonly count: MatchCount | null;
  readonly countError?: string;
}

/** "3 jobs", "at least 1,000 jobs". */
export function countText(count: MatchCount): string {
  return `${count.atLeast ? 'at least ' : ''}${plural(count.count, 'job')}`;
}

/** The dialog's "change nothing" button: "Keep it" for exactly one job, else "Keep them". */
export function keepLabel(count: MatchCount | null): string {
  return count !== null && count.count === 1 && !count.atLeast ? 'Keep it' : 'Keep them';
}
