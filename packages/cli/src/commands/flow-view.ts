import { showLogText } from '@jobs/core';
import { parseResponse } from 'hono/client';
import { bold, dim, paintState } from '../cli/output.js';
import type { Remote } from '../remote/connect.js';

/** A job linked to the one shown: a dependency or a dependent. */
export interface LinkedJob {
  readonly id: string;
  readonly handler: string;
  readonly method: string;
  readonly state: string;
  /** For a dependency: what the shown job does if it fails; for a dependent: what that one does. */
  readonly policy: string;
}

/** What `jobs show` adds about a job's flow. */
export interface JobLinks {
  readonly dependsOn: readonly LinkedJob[];
  readonly dependents: readonly LinkedJob[];
  /** The dependency whose failure or cancellation cancelled the job, or null. */
  readonly cancelledBy: string | null;
}

/** Most jobs `jobs show` reads around one job. */
const FLOW_LIMIT = 1000;

/** The dependencies and dependents of job `id`, from GET /api/jobs/{id}/flow. */
export async function jobLinks(remote: Remote, id: string): Promise<JobLinks> {
  const flow = await remote.call((c) =>
    parseResponse(
      c.api.jobs[':id'].flow.$get({ param: { id }, query: { limit: String(FLOW_LIMIT) } }),
    ),
  );
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));
  const self = byId.get(id);
  const link = (nodeId: string, policy: string): LinkedJob => {
    const node = byId.get(nodeId);
    return {
      id: nodeId,
      handler: node?.handler ?? '?',
      method: node?.method ?? '?',
      state: node?.state ?? '?',
      policy,
    };
  };
  return {
    dependsOn: (self?.dependsOn ?? []).map((d) => link(d.id, d.policy)),
    dependents: flow.nodes.flatMap((n) =>
      n.dependsOn.filter((d) => d.id === id).map((d) => link(n.id, d.policy)),
    ),
    cancelledBy: self?.cancelledBy ?? null,
  };
}

/** The lines `jobs show` prints about a job's flow (none for a job outside any flow). */
export function linkLines(links: JobLinks): string[] {
  const lines: string[] = [];
  const row = (job: LinkedJob) =>
    `  ${job.id.padStart(6)}  ${paintState(job.state, job.state.padEnd(9))}  ${showLogText(`${job.handler}.${job.method}`)}  ${dim(`on failure: ${job.policy}`)}`;
  if (links.dependsOn.length > 0) {
    lines.push('', bold('Depends on'), ...links.dependsOn.map(row));
  }
  if (links.cancelledBy !== null) {
    lines.push(dim(`  cancelled because job ${links.cancelledBy} failed or was cancelled`));
  }
  if (links.dependents.length > 0) {
    lines.push('', bold('Dependents'), ...links.dependents.map(row));
  }
  return lines;
}
