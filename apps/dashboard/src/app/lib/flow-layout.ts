/** A job of a flow as the layout needs it: its id and the ids it waits for. */
export interface FlowLayoutNode {
  readonly id: string;
  readonly dependsOn: readonly { readonly id: string }[];
}

/** Where a job's card goes: its column (depth) and row, in cells. */
export interface PlacedNode<N> {
  readonly node: N;
  readonly column: number;
  readonly row: number;
}

/** A dependency line from the card of `from` (the dependency) to that of `to` (the dependent). */
export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
}

/** The flow laid out left to right: dependencies before their dependents. */
export interface FlowLayout<N> {
  readonly nodes: readonly PlacedNode<N>[];
  readonly edges: readonly PlacedEdge[];
  readonly columns: number;
  readonly rows: number;
}

const byId = (a: { id: string }, b: { id: string }) =>
  a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Columns by the longest chain of dependencies leading to each job (among the jobs shown; a
 * dependency not shown is left out), rows by id within a column. Edges join shown jobs only.
 */
export function layoutFlow<N extends FlowLayoutNode>(nodes: readonly N[]): FlowLayout<N> {
  const shown = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  // Iterative longest path: a graph the server accepted has no cycle, and at most a few
  // hundred jobs are shown; a guard stops after as many rounds as jobs anyway.
  for (const n of nodes) depth.set(n.id, 0);
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const n of nodes) {
      for (const d of n.dependsOn) {
        const parent = depth.get(d.id);
        if (parent !== undefined && parent + 1 > (depth.get(n.id) ?? 0)) {
          depth.set(n.id, parent + 1);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const columns: N[][] = [];
  for (const n of [...nodes].sort(byId)) {
    const column = depth.get(n.id) ?? 0;
    const list = columns[column] ?? [];
    list.push(n);
    columns[column] = list;
  }
  const placed: PlacedNode<N>[] = [];
  for (const [c, column] of columns.entries()) {
    for (const [row, node] of (column ?? []).entries()) placed.push({ node, column: c, row });
  }
  const edges = nodes.flatMap((n) =>
    n.dependsOn.filter((d) => shown.has(d.id)).map((d) => ({ from: d.id, to: n.id })),
  );
  return {
    nodes: placed,
    edges,
    columns: columns.length,
    rows: Math.max(0, ...columns.map((c) => c.length)),
  };
}
