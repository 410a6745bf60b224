import {
  compareJobs,
  insertedJob,
  type Job,
  type JobStore,
  type NewJob,
  type StoreEvent,
  StoreUnavailableError,
} from '@jobs/core';

/** The methods of the port the worker uses; the fake implements these and throws on the rest. */
type WorkerPort = Pick<
  JobStore,
  | 'jobInsert'
  | 'jobGet'
  | 'jobCancel'
  | 'jobClaim'
  | 'jobComplete'
  | 'jobFail'
  | 'jobRelease'
  | 'jobProgressSet'
  | 'leaseRenew'
  | 'leaseRescue'
  | 'queueList'
  | 'eventListen'
>;

/** An in-memory JobStore for unit tests of the worker, with a record of what it was told. */
export interface FakeStore extends JobStore {
  /** Every job by id. */
  readonly jobs: Map<string, Job>;
  /** How many times each store method was called. */
  readonly calls: Map<string, number>;
  /** Ids the store recorded as completed, in order (a job twice would be a bug). */
  readonly completedIds: string[];
  /** Sends an event to every listener. */
  emit(event: StoreEvent): void;
}

/**
 * Creates the fake. Leases never expire here and the clock is the machine's; it applies the
 * same guards as the real adapter (state, lease owner, attempt).
 */
export function createFakeStore(): FakeStore {
  const jobs = new Map<string, Job>();
  const calls = new Map<string, number>();
  const completedIds: string[] = [];
  const listeners = new Set<(event: StoreEvent) => void>();
  let nextId = 1;
  const owned = (workerId: string, id: string, attempt?: number) => {
    const job = jobs.get(id);
    return job !== undefined &&
      job.state === 'running' &&
      job.leaseOwner === workerId &&
      (attempt === undefined || job.attempt === attempt)
      ? job
      : undefined;
  };
  const update = (job: Job, patch: Partial<Job>) => jobs.set(job.id, { ...job, ...patch });
  const port: WorkerPort = {
    async jobInsert({ jobs: list }) {
      const now = Date.now();
      const created = list.map((spec: NewJob): Job => {
        const runAt = 'at' in spec.runAt ? spec.runAt.at : new Date(now + spec.runAt.delayMs);
        const job = insertedJob(spec, {
          id: String(nextId++),
          state: runAt.getTime() > now ? 'scheduled' : 'queued',
          runAt,
          createdAt: new Date(now),
        });
        jobs.set(job.id, job);
        return job;
      });
      for (const listener of listeners) listener({ type: 'inserted' });
      // No unique keys here: every job is new.
      return created.map((job) => ({ ...job, created: true }));
    },
    async jobGet({ id }) {
      return jobs.get(id) ?? null;
    },
    async jobCancel({ ids }) {
      const changed: Job[] = [];
      for (const id of ids) {
        const job = jobs.get(id);
        if (job === undefined || ['completed', 'failed', 'cancelled'].includes(job.state)) continue;
        update(job, { state: 'cancelled', leaseOwner: null, finishedAt: new Date() });
        changed.push(jobs.get(id) as Job);
      }
      for (const listener of listeners)
        listener({ type: 'cancelled', ids: changed.map((j) => j.id) });
      return changed;
    },
    async jobClaim({ workerId, queues, limit, leaseMs }) {
      const now = Date.now();
      const due = [...jobs.values()]
        .filter(
          (j) =>
            ['scheduled', 'queued', 'retrying'].includes(j.state) &&
            j.runAt.getTime() <= now &&
            j.attempt < j.maxAttempts &&
            (queues === null || queues.includes(j.queue)),
        )
        .sort(compareJobs)
        .slice(0, limit);
      return due.map((job) => {
        const claimed: Job = {
          ...job,
          state: 'running',
          attempt: job.attempt + 1,
          startedAt: new Date(now),
          leaseOwner: workerId,
          leaseExpiresAt: new Date(now + leaseMs),
        };
        jobs.set(job.id, claimed);
        return claimed;
      });
    },
    async jobComplete({ workerId, jobs: done }) {
      const recorded: string[] = [];
      for (const { id, attempt, result } of done) {
        const job = owned(workerId, id, attempt);
        if (job === undefined) continue;
        update(job, { state: 'completed', result, leaseOwner: null, finishedAt: new Date() });
        recorded.push(id);
        completedIds.push(id);
      }
      return recorded;
    },
    async jobFail({ workerId, jobs: failed }) {
      const recorded: string[] = [];
      for (const { id, attempt, error, outcome } of failed) {
        const job = owned(workerId, id, attempt);
        if (job === undefined) continue;
        update(job, {
          state: outcome.state,
          errors: [...job.errors, error],
          leaseOwner: null,
          ...(outcome.state === 'retrying'
            ? { runAt: new Date(Date.now() + outcome.delayMs) }
            : { finishedAt: new Date() }),
        });
        recorded.push(id);
      }
      return recorded;
    },
    async jobRelease({ workerId, jobs: released }) {
      const recorded: string[] = [];
      for (const { id, attempt } of released) {
        const job = owned(workerId, id, attempt);
        if (job === undefined) continue;
        update(job, { state: 'queued', attempt: job.attempt - 1, leaseOwner: null });
        recorded.push(id);
      }
      return recorded;
    },
    async jobProgressSet({ workerId, id, attempt, progress, logs }) {
      const job = owned(workerId, id, attempt);
      if (job === undefined) return false;
      update(job, {
        ...(progress === undefined ? {} : { progress }),
        logs: [...job.logs, ...(logs ?? [])],
      });
      return true;
    },
    async leaseRenew({ workerId, jobs: held }) {
      return held.filter(({ id, attempt }) => owned(workerId, id, attempt) !== undefined);
    },
    async leaseRescue() {
      return [];
    },
    async queueList() {
      const names = [...new Set([...jobs.values()].map((j) => j.queue))].sort();
      return names.map((name) => ({ name, paused: false }));
    },
    async eventListen(listener) {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
  };
  const extras = {
    jobs,
    calls,
    completedIds,
    emit: (event: StoreEvent) => {
      for (const listener of listeners) listener(event);
    },
  };
  return new Proxy(extras, {
    get(target, key) {
      if (typeof key === 'string' && Object.hasOwn(port, key)) {
        const method = port[key as keyof WorkerPort] as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          calls.set(key, (calls.get(key) ?? 0) + 1);
          return method(...args);
        };
      }
      if (Object.hasOwn(target, key)) return target[key as keyof typeof target];
      return () => Promise.reject(new Error(`FakeStore: ${String(key)} is not implemented`));
    },
  }) as unknown as FakeStore;
}

/**
 * Wraps a store so that every call fails with StoreUnavailableError while `isDown()` says so,
 * or only the methods listed in `only`; counts the failures.
 */
export function flakyStore(
  store: JobStore,
  isDown: (method: string) => boolean,
): JobStore & { readonly failures: number } {
  let failures = 0;
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'failures') return failures;
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        if (isDown(key)) {
          failures += 1;
          return Promise.reject(new StoreUnavailableError(`database unavailable (test): ${key}`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as JobStore & { readonly failures: number };
}
