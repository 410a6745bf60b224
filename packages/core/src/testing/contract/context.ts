import type { Job } from '../../job.js';
import type { JobStore } from '../../store.js';

/** What a store under test gives the contract suite. */
export interface ContractStore {
  /** The store every test talks to; empty at the start of each test. */
  readonly store: JobStore;
  /** Opens another client on the same data (another process, as far as the store can tell). */
  openAnother(): Promise<JobStore & { close(): Promise<void> }>;
  /** Closes what setup opened and removes the data. */
  cleanup(): Promise<void>;
}

/** What the suite hands each area of the contract (one file per area, as River's driver tests). */
export interface ContractContext {
  /** The store of the running test: a fresh, empty one per test. */
  store(): JobStore;
  /** Opens another client on the running test's data. */
  openAnother(): Promise<JobStore & { close(): Promise<void> }>;
  /** The worker id the areas claim as unless a test names another. */
  readonly worker: string;
  /** Claims up to `limit` (100) due jobs of every queue as `workerId` with a `leaseMs` lease. */
  claimAll(limit?: number, workerId?: string, leaseMs?: number): Promise<Job[]>;
}
