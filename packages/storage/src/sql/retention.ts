import {
  type QueueRetention,
  RETENTION_STATES,
  type RetentionMs,
  type RetentionPolicy,
  type RetentionSettings,
  type RetentionState,
} from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';

interface DefaultsRow {
  completed_ms: string | number | null;
  failed_ms: string | number | null;
  cancelled_ms: string | number | null;
}

const GET_DEFAULTS = 'SELECT completed_ms, failed_ms, cancelled_ms FROM job_retention WHERE id';
const GET_QUEUES = `SELECT name, retention FROM job_queues WHERE retention <> '{}'::jsonb ORDER BY name`;

/** The retention row and every queue's overrides. */
export async function getRetention(c: Connection): Promise<RetentionSettings> {
  const [defaults] = await c.sql.unsafe<DefaultsRow[]>(GET_DEFAULTS, [], { prepare: true });
  const queues = await c.sql.unsafe<{ name: string; retention: Record<string, unknown> }[]>(
    GET_QUEUES,
    [],
    { prepare: true },
  );
  return {
    defaults: defaultsOf(defaults),
    queues: queues.map((row) => ({ name: row.name, overrides: overridesOf(row.retention) })),
  };
}

/** The row as a policy; a missing row (never, after migration 0012) keeps everything. */
function defaultsOf(row: DefaultsRow | undefined): RetentionPolicy {
  return {
    completed: msOf(row?.completed_ms ?? null),
    failed: msOf(row?.failed_ms ?? null),
    cancelled: msOf(row?.cancelled_ms ?? null),
  };
}

function msOf(value: string | number | null | unknown): RetentionMs {
  return value === null || value === undefined ? null : Number(value);
}

function overridesOf(value: Record<string, unknown>): QueueRetention['overrides'] {
  const out: Partial<Record<RetentionState, RetentionMs>> = {};
  for (const state of RETENTION_STATES) {
    if (state in value) out[state] = msOf(value[state]);
  }
  return out;
}

const SET_DEFAULTS = `INSERT INTO job_retention (id, completed_ms, failed_ms, cancelled_ms)
  VALUES (true, $1::bigint, $2::bigint, $3::bigint)
  ON CONFLICT (id) DO UPDATE SET completed_ms = EXCLUDED.completed_ms,
    failed_ms = EXCLUDED.failed_ms, cancelled_ms = EXCLUDED.cancelled_ms, updated_at = now()`;

const CLEAR_OTHERS = `UPDATE job_queues SET retention = '{}'::jsonb, updated_at = now()
  WHERE retention <> '{}'::jsonb AND NOT (name = ANY($1::text[]))`;

const SET_QUEUES = `INSERT INTO job_queues (name, retention)
  SELECT unnest($1::text[]), unnest($2::text[])::jsonb
  ON CONFLICT (name) DO UPDATE SET retention = EXCLUDED.retention, updated_at = now()
  WHERE job_queues.retention IS DISTINCT FROM EXCLUDED.retention`;

/** Replaces every setting in one transaction: the defaults, and each queue's overrides. */
export async function setRetention(
  c: Connection,
  settings: RetentionSettings,
): Promise<RetentionSettings> {
  const { defaults, queues } = settings;
  const names = pgArray(queues.map((q) => q.name));
  await c.sql.begin(async (tx) => {
    await tx.unsafe(SET_DEFAULTS, [defaults.completed, defaults.failed, defaults.cancelled]);
    await tx.unsafe(CLEAR_OTHERS, [names]);
    if (queues.length > 0) {
      await tx.unsafe(SET_QUEUES, [names, pgArray(queues.map((q) => JSON.stringify(q.overrides)))]);
    }
  });
  return getRetention(c);
}
