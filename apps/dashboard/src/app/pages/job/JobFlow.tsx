import { useRef } from 'react';
import { read } from '../../api/client.js';
import { useSession } from '../../api/session.js';
import type { JobState } from '../../api/types.js';
import { StateBadge } from '../../components/StateBadge.js';
import { useQuery } from '../../hooks/useQuery.js';
import { layoutFlow } from '../../lib/flow-layout.js';
import { Link } from '../../router.js';

/** Card size and gaps of the graph, in pixels. */
const CARD_W = 230;
const CARD_H = 58;
const GAP_X = 46;
const GAP_Y = 14;

/**
 * The flow a job belongs to, as a small graph: its dependencies to the left, its dependents to
 * the right, each job a link with its state. Nothing is shown for a job outside any flow.
 */
export function JobFlow({ id, state }: { readonly id: string; readonly state: JobState }) {
  const { client } = useSession();
  // The jobs shown: a change to any of them (a state, a deletion) reads the flow again.
  const shown = useRef<ReadonlySet<string>>(new Set([id]));
  const flow = useQuery(
    (signal) =>
      read(client.api.jobs[':id'].flow.$get({ param: { id }, query: {} }, { init: { signal } })),
    // Read again when this job's state changes (a dependency finishing releases it).
    [client, id, state],
    { live: (event) => event.ids.some((changed) => shown.current.has(changed)), gapMs: 500 },
  );
  const data = flow.data;
  if (data !== undefined) shown.current = new Set(data.nodes.map((n) => n.id));
  if (data === undefined || data.nodes.length <= 1) return null;
  const layout = layoutFlow(data.nodes);
  const x = (column: number) => column * (CARD_W + GAP_X);
  const y = (row: number) => row * (CARD_H + GAP_Y);
  const at = new Map(layout.nodes.map((p) => [p.node.id, p]));
  const width = x(layout.columns) - GAP_X;
  const height = y(layout.rows) - GAP_Y;
  const self = data.nodes.find((n) => n.id === id);
  return (
    <section className="panel" aria-labelledby="flow-title" data-testid="job-flow">
      <h2 id="flow-title" className="section-title">
        Flow
      </h2>
      <p className="muted">
        {self === undefined || self.dependsOn.length === 0
          ? 'This job depends on no other job.'
          : `Depends on ${self.dependsOn.map((d) => `#${d.id}`).join(', ')}.`}{' '}
        {data.truncated ? `Showing ${data.nodes.length} of the flow’s jobs.` : null}
        {self?.cancelledBy ? ` Cancelled because job #${self.cancelledBy} did not complete.` : null}
      </p>
      <div className="flow-scroll">
        <div className="flow-graph" style={{ width, height }}>
          <svg className="flow-edges" width={width} height={height} aria-hidden="true">
            {layout.edges.map((edge) => {
              const from = at.get(edge.from);
              const to = at.get(edge.to);
              if (from === undefined || to === undefined) return null;
              const x1 = x(from.column) + CARD_W;
              const y1 = y(from.row) + CARD_H / 2;
              const x2 = x(to.column);
              const y2 = y(to.row) + CARD_H / 2;
              const mid = (x1 + x2) / 2;
              return (
                <path
                  key={`${edge.from}-${edge.to}`}
                  d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
                />
              );
            })}
          </svg>
          <ol className="flow-nodes">
            {layout.nodes.map(({ node, column, row }) => (
              <li
                key={node.id}
                className={node.id === id ? 'flow-node flow-self' : 'flow-node'}
                style={{ left: x(column), top: y(row), width: CARD_W, height: CARD_H }}
              >
                {node.id === id ? (
                  <span className="mono" aria-current="page">
                    #{node.id} · this job
                  </span>
                ) : (
                  <Link to={`/jobs/${node.id}`} className="mono">
                    #{node.id}
                  </Link>
                )}{' '}
                <StateBadge state={node.state} />
                <span className="flow-name mono">
                  {node.handler}.{node.method}
                </span>
              </li>
            ))}
          </ol>
        </div>
      </div>
    </section>
  );
}
