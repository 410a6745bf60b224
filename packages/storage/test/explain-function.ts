import postgres from 'postgres';

/** One node of a PostgreSQL JSON plan. */
export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** A plan and every node under it, depth first. */
export function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

interface LoggedPlan {
  'Query Text': string;
  Plan: PlanNode;
}

/**
 * Runs `call` (a statement calling a SQL function) in `schema` and returns the plans of the
 * statements the function ran, as PostgreSQL planned them inside it (with the function's own
 * settings): auto_explain logs every nested statement to this session, not a copy of its text.
 */
export async function explainNested(
  target: { readonly url: string; readonly schema: string },
  call: string,
  params: readonly (string | number | null)[],
): Promise<{ readonly query: string; readonly nodes: PlanNode[] }[]> {
  const logged: LoggedPlan[] = [];
  const sql = postgres(target.url, {
    max: 1,
    connection: { search_path: target.schema, application_name: 'jobs-explain' },
    onnotice: (notice) => {
      const message = String(notice.message ?? '');
      const start = message.indexOf('{');
      if (message.includes('plan:') && start >= 0) logged.push(JSON.parse(message.slice(start)));
    },
  });
  try {
    await sql`LOAD 'auto_explain'`;
    await sql`SET auto_explain.log_min_duration = 0`;
    await sql`SET auto_explain.log_nested_statements = on`;
    await sql`SET auto_explain.log_format = 'json'`;
    await sql`SET client_min_messages = log`;
    await sql.unsafe(call, params as (string | number | null)[]);
    await sql`SET client_min_messages = notice`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return logged
    .filter((p) => p['Query Text'].trim() !== call.trim())
    .map((p) => ({ query: p['Query Text'], nodes: flatten(p.Plan) }));
}
