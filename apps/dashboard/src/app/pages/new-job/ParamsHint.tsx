import { describeArity } from '@jobs/core';
import type { HandlerInfo } from '../../api/types.js';
import { jsonPretty } from '../../lib/format.js';
import { describeParams } from '../../lib/params.js';

/**
 * What the chosen method's params must be: its schema (described, and shown on demand), or,
 * without one, the arguments it declares, the only thing checked then.
 */
export function ParamsHint({
  method,
}: {
  readonly method: HandlerInfo['methods'][number] | undefined;
}) {
  if (method === undefined) return <>For example ["someone@example.com", "Hello"].</>;
  if (method.paramsSchema !== null) {
    return (
      <details>
        <summary>
          Expects <code>{describeParams(method.paramsSchema) ?? 'params'}</code>; show the JSON
          Schema
        </summary>
        <pre className="code">{jsonPretty(method.paramsSchema)}</pre>
      </details>
    );
  }
  if (method.hasSchema) return <>The server checks them against the method's schema.</>;
  return (
    <>
      {method.name} takes <code>{describeArity(method.arity)}</code>. Without a schema, only their
      number is checked.
    </>
  );
}
