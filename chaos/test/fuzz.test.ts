import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { handlers } from '../src/handlers.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes } from '../src/processes.js';
import { figure, scaled } from '../src/scale.js';

/** Strings an attacker would try, mixed into every part of a request. */
const HOSTILE = [
  "' OR 1=1 --",
  '1; DROP TABLE jobs; --',
  "1' UNION SELECT * FROM pg_shadow --",
  '__proto__',
  'constructor',
  'prototype',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\ud800',
  '9'.repeat(400),
  '-1',
  '1e308',
  'NaN',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'x'.repeat(70_000),
];

const hostile = fc.oneof(fc.constantFrom(...HOSTILE), fc.string(), fc.string({ unit: 'binary' }));

/** JSON values with prototype keys, deep nesting, huge numbers and long strings. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostile,
    fc.double(),
    fc.constantFrom(1e308, -1e308, 2 ** 64, Number.MAX_SAFE_INTEGER + 2, 0.1),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'handler',
          'method',
          'params',
          'priority',
          'delay',
          'retries',
          'queue',
          'state',
          'ids',
          'filter',
          'action',
        ),
        fc.string(),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

/** A body: JSON text of a value or near-valid job, raw bytes (invalid UTF-8), or deep nesting. */
const body = fc.oneof(
  jsonish.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc
    .record(
      {
        handler: fc.oneof(fc.constantFrom('work', 'poison', 'isolated', 'probe'), hostile),
        method: fc.oneof(
          fc.constantFrom('run', 'never', 'crash', 'pollution', 'toString', 'constructor'),
          hostile,
        ),
        params: fc.oneof(fc.array(jsonish, { maxLength: 3 }), jsonish),
        priority: jsonish,
        delay: jsonish,
      },
      { requiredKeys: [] },
    )
    .map((v) => Buffer.from(JSON.stringify(v))),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from([0xff, 0xfe, ...bytes])),
  fc.integer({ min: 1, max: 20_000 }).map((n) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`)),
  fc.constant(Buffer.alloc(0)),
  // Near-valid jobs, so some get in and the worker has something to run afterwards.
  fc
    .record({
      handler: fc.constantFrom('work', 'probe', 'work '),
      method: fc.constantFrom('run', 'pollution', 'toString', '__proto__', 'constructor'),
      params: fc.array(fc.nat(5), { maxLength: 1 }),
    })
    .map((v) => Buffer.from(JSON.stringify(v))),
);

const ROUTES: [string, string][] = [
  ['POST', '/api/jobs'],
  ['POST', '/api/jobs/batch'],
  ['POST', '/api/jobs/actions'],
  ['GET', '/api/jobs'],
  ['GET', '/api/jobs/:id'],
  ['POST', '/api/jobs/:id/cancel'],
  ['POST', '/api/jobs/:id/retry'],
  ['DELETE', '/api/jobs/:id'],
  ['GET', '/api/stats'],
  ['GET', '/api/queues'],
  ['POST', '/api/queues/:id/pause'],
  ['POST', '/api/queues/:id/resume'],
  ['GET', '/api/handlers'],
  ['GET', '/api/logs/jobs'],
  ['GET', '/api/logs/errors'],
  ['GET', '/metrics'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/openapi.json'],
  ['GET', '/docs'],
  ['GET', '/:id'],
  ['PUT', '/api/jobs'],
];

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, never a throw). */
function pct(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Sends raw bytes, as no fetch() would (bad UTF-8 in the path and headers, odd content types). */
function send(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: { ...headers, 'content-length': String(payload.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${method} ${path} in 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

describe('hostile input to every route, over a real socket', () => {
  const processes = new Processes();
  let db: ScenarioDb;
  let api = '';
  let apiPid = 0;

  beforeAll(async () => {
    db = await scenarioDb('fuzz');
    const started = await processes.api({ url: db.url, schema: db.schema });
    api = started.url;
    apiPid = started.child.pid ?? 0;
  });
  afterAll(async () => {
    processes.killAll();
    await db.close();
  });

  it('never answers 5xx, never dies, and never lets a job past the allow-list', async () => {
    const base = new URL(api);
    const statuses = new Map<number, number>();
    const runs = scaled(3_000, 400);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: fc.constant<[string, string]>(['POST', '/api/jobs']) },
          { weight: 10, arbitrary: fc.constantFrom(...ROUTES) },
        ),
        fc.oneof(hostile, fc.bigInt().map(String), fc.nat().map(String)),
        fc.array(
          fc.tuple(
            fc.constantFrom(
              'state',
              'queue',
              'handler',
              'method',
              'text',
              'limit',
              'cursor',
              'sort',
              'createdFrom',
              'window',
              'lines',
              'types',
              '__proto__',
            ),
            hostile,
          ),
          { maxLength: 4 },
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
          '',
        ),
        body,
        async ([method, route], id, query, contentType, payload) => {
          const path =
            route.replace(':id', `${pct(id.slice(0, 500))}${id.length % 7 === 0 ? '%FF%FE' : ''}`) +
            (query.length === 0
              ? ''
              : `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, v.slice(0, 2_000)])).toString()}`);
          const headers: Record<string, string> =
            contentType === '' ? {} : { 'content-type': contentType };
          const { status, text } = await send(
            base,
            method,
            path,
            headers,
            method === 'GET' ? Buffer.alloc(0) : payload,
          );
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status, `${method} ${path.slice(0, 120)} -> ${text.slice(0, 200)}`).toBeLessThan(
            500,
          );
          if (status >= 400 && !path.startsWith('/docs')) {
            const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            expect(typeof parsed.error?.code).toBe('string');
          }
        },
      ),
      { numRuns: runs },
    );
    // Still alive and well.
    process.kill(apiPid, 0);
    expect((await fetch(`${api}/healthz`)).status).toBe(200);

    // Whatever got in is on the allow-list: a worker drains it without one unknown handler.
    await processes.worker({
      url: db.url,
      schema: db.schema,
      executions: db.executionsDir,
      args: ['--concurrency', '8'],
    });
    await db.store.jobCancel({
      ids: (await db.store.jobList({ limit: 1000, states: ['scheduled', 'retrying'] })).jobs.map(
        (j) => j.id,
      ),
    });
    await db.drained(60_000);
    const stored = await db.store.connection.sql<
      { handler: string; method: string; n: number; unknown: number }[]
    >`
      SELECT handler, method, count(*)::int AS n,
             count(*) FILTER (WHERE errors::text LIKE '%UnknownHandlerError%')::int AS unknown
        FROM jobs GROUP BY handler, method`;
    const registered = new Set(
      handlers.list().flatMap((h) => h.methods.map((m) => `${h.name}.${m.name}`)),
    );
    for (const row of stored) {
      expect(registered.has(`${row.handler}.${row.method}`), `${row.handler}.${row.method}`).toBe(
        true,
      );
      expect(row.unknown).toBe(0);
    }
    // Every job that got in and was not cancelled really ran, once.
    await assertExecutions(db, 'fuzz');
    figure(
      'fuzz',
      `${runs} hostile requests: statuses ${JSON.stringify(Object.fromEntries(statuses))}; no 5xx; API alive; ${stored.reduce((a, r) => a + r.n, 0)} jobs got in, all on the allow-list`,
    );
  });
});
