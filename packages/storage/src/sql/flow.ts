import {
  type DependencyPolicy,
  type DependencyResult,
  type FlowNode,
  initialFlowStates,
  type Job,
  type JobFlow,
  type JobState,
  type NewFlow,
  ValidationError,
} from '@jobs/core';
import type { RunStatement } from '../caller-transaction.js';
import { pgArray } from '../pg-array.js';
import { insertJobsWithStates } from './insert.js';

/**
 * Inserts a flow on `run` (an open transaction: the store's own, or a caller's), all or none:
 * the existing jobs it names are locked in id order and marked `has_dependents` (so a dependency
 * cannot finish unseen between this read and the commit: its finishing statement waits for the
 * lock and then runs the flow-settle trigger, which sees the new dependents), each job's first
 * state is decided by core, then jobs and dependencies are inserted and the new jobs that others
 * depend on are marked too. `tables` qualifies table names (empty on the store's pool).
 */
export async function insertFlowOn(
  run: RunStatement,
  tables: string,
  flow: NewFlow,
): Promise<Job[]> {
  const { jobs, keys, dependencies } = flow;
  const wanted = [...new Set(dependencies.flatMap((d) => ('id' in d.on ? [d.on.id] : [])))].sort(
    (a, b) => (BigInt(a) < BigInt(b) ? -1 : 1),
  );
  const existing = new Map<string, JobState>();
  if (wanted.length > 0) {
    const rows = await run<{ id: string; state: JobState }>(
      `UPDATE ${tables}jobs j SET has_dependents = true
         FROM (SELECT id FROM ${tables}jobs WHERE id = ANY($1::bigint[])
                ORDER BY id FOR NO KEY UPDATE) l
        WHERE j.id = l.id
       RETURNING j.id::text AS id, j.state`,
      [pgArray(wanted)],
    );
    for (const row of rows) existing.set(row.id, row.state);
    const missing = dependencies.findIndex((d) => 'id' in d.on && !existing.has(d.on.id));
    const edge = dependencies[missing];
    if (edge !== undefined && 'id' in edge.on) {
      throw new ValidationError(`dependencies.${missing}`, `job ${edge.on.id} does not exist`);
    }
  }
  const starts = initialFlowStates(jobs.length, dependencies, existing);
  const inserted = await insertJobsWithStates(
    run,
    tables,
    jobs,
    starts.map((s) => s.state),
  );
  const idOf = (on: NewFlow['dependencies'][number]['on']): string =>
    'id' in on ? on.id : (inserted[on.index] as Job).id;
  if (dependencies.length > 0) {
    const positions = new Map<number, number>();
    const position = (job: number) => {
      const next = positions.get(job) ?? 0;
      positions.set(job, next + 1);
      return next;
    };
    const cancelledBy = starts.map((s) => (s.cancelledBy === null ? null : idOf(s.cancelledBy)));
    // An existing dependency that already finished is settled (counted off) from the start.
    const settled = dependencies.map((d) => {
      const state = 'id' in d.on ? existing.get(d.on.id) : undefined;
      return state === 'completed' || state === 'failed' || state === 'cancelled';
    });
    const pending = new Map<number, number>();
    for (const [i, d] of dependencies.entries()) {
      pending.set(d.job, (pending.get(d.job) ?? 0) + (settled[i] ? 0 : 1));
    }
    await run(
      `INSERT INTO ${tables}job_dependencies
         (job_id, depends_on, policy, position, depends_on_key, cancelled, settled)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::text[],
                            $6::boolean[], $7::boolean[])`,
      [
        pgArray(dependencies.map((d) => (inserted[d.job] as Job).id)),
        pgArray(dependencies.map((d) => idOf(d.on))),
        pgArray(dependencies.map((d) => d.policy)),
        pgArray(dependencies.map((d) => position(d.job))),
        pgArray(dependencies.map((d) => ('index' in d.on ? (keys[d.on.index] ?? null) : null))),
        pgArray(dependencies.map((d) => (cancelledBy[d.job] === idOf(d.on) ? 'true' : 'false'))),
        pgArray(settled.map((v) => (v ? 'true' : 'false'))),
      ],
    );
    const newDependencies = [
      ...new Set(dependencies.flatMap((d) => ('index' in d.on ? [idOf(d.on)] : []))),
    ];
    if (newDependencies.length > 0) {
      await run(`UPDATE ${tables}jobs SET has_dependents = true WHERE id = ANY($1::bigint[])`, [
        pgArray(newDependencies),
      ]);
    }
    await run(
      `INSERT INTO ${tables}job_dependency_counts (job_id, pending)
       SELECT * FROM unnest($1::bigint[], $2::int[])`,
      [
        pgArray([...pending.keys()].map((i) => (inserted[i] as Job).id)),
        pgArray([...pending.values()]),
      ],
    );
    const cancelled = starts.flatMap((s, i) => (s.state === 'cancelled' ? [i] : []));
    if (cancelled.length > 0) {
      await run(
        `UPDATE ${tables}jobs SET finished_at = now(),
                logs = jsonb_build_array(jsonb_build_object(
                  'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'line', 'cancelled: dependency ' || v.dep || ' failed or was cancelled'))
           FROM unnest($1::bigint[], $2::bigint[]) AS v(id, dep)
          WHERE jobs.id = v.id`,
        [
          pgArray(cancelled.map((i) => (inserted[i] as Job).id)),
          pgArray(cancelled.map((i) => cancelledBy[i] ?? null)),
        ],
      );
    }
  }
  return inserted;
}

/** The graph around `id`: jobs reached through dependencies both ways, at most `limit`. */
export async function getFlow(
  run: RunStatement,
  id: string,
  limit: number,
): Promise<JobFlow | null> {
  const rows = await run<{
    id: string;
    handler: string;
    method: string;
    state: JobState;
    depends_on: { id: string; policy: DependencyPolicy }[] | null;
    cancelled_by: string | null;
  }>(
    `WITH RECURSIVE linked(id) AS (
       SELECT id FROM jobs WHERE id = $1::bigint
       UNION
       SELECT CASE WHEN d.job_id = l.id THEN d.depends_on ELSE d.job_id END
         FROM linked l JOIN job_dependencies d ON d.job_id = l.id OR d.depends_on = l.id
     ), reached AS (SELECT id FROM linked LIMIT $2::int + 1)
     SELECT j.id::text AS id, j.handler, j.method, j.state,
            (SELECT json_agg(json_build_object('id', d.depends_on::text, 'policy', d.policy)
                             ORDER BY d.position)
               FROM job_dependencies d WHERE d.job_id = j.id) AS depends_on,
            (SELECT d.depends_on::text FROM job_dependencies d
              WHERE d.job_id = j.id AND d.cancelled LIMIT 1) AS cancelled_by
       FROM jobs j JOIN reached ON reached.id = j.id
      ORDER BY j.id`,
    [id, String(limit)],
  );
  if (!rows.some((r) => r.id === id)) return null;
  const truncated = rows.length > limit;
  const kept = truncated ? keepAround(rows, id, limit) : rows;
  const nodes: FlowNode[] = kept.map((r) => ({
    id: r.id,
    handler: r.handler,
    method: r.method,
    state: r.state,
    dependsOn: r.depends_on ?? [],
    cancelledBy: r.cancelled_by,
  }));
  return { id, nodes, truncated };
}

/** `limit` rows, the asked job always among them. */
function keepAround<T extends { id: string }>(rows: readonly T[], id: string, limit: number): T[] {
  const self = rows.filter((r) => r.id === id);
  return [...self, ...rows.filter((r) => r.id !== id).slice(0, limit - 1)].sort((a, b) =>
    BigInt(a.id) < BigInt(b.id) ? -1 : 1,
  );
}

/** The dependencies of `id` with their results, in the order the dependent named them. */
export async function listDependencies(run: RunStatement, id: string): Promise<DependencyResult[]> {
  const rows = await run<{
    id: string;
    key: string | null;
    handler: string;
    method: string;
    state: JobState;
    result: DependencyResult['result'];
  }>(
    `SELECT p.id::text AS id, d.depends_on_key AS key, p.handler, p.method, p.state, p.result
       FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on
      WHERE d.job_id = $1::bigint
      ORDER BY d.position`,
    [id],
  );
  return rows.map((r) => ({ ...r }));
}
