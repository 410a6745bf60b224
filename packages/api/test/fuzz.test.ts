import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

let api: TestApi;
const unexpected: unknown[] = [];
const statuses = new Map<number, number>();

beforeAll(async () => {
  api = await createTestApi('fuzz', {
    bodyLimitBytes: 16 * 1024,
    heartbeatMs: 50,
    metrics: { lagMs: 0 },
    onError: (error) => unexpected.push(error),
  });
});
afterAll(async () => {
  await api.close();
});

/** Every route, with `{id}` and `{name}` to fill in. */
const ROUTES: readonly [string, string][] = [
  ['POST', '/api/jobs'],
  ['POST', '/api/jobs/batch'],
  ['GET', '/api/jobs'],
  ['GET', '/api/jobs/{id}'],
  ['POST', '/api/jobs/{id}/cancel'],
  ['POST', '/api/jobs/{id}/retry'],
  ['DELETE', '/api/jobs/{id}'],
  ['DELETE', '/api/jobs'],
  ['GET', '/api/retention'],
  ['POST', '/api/jobs/actions'],
  ['POST', '/api/flows'],
  ['GET', '/api/jobs/{id}/flow'],
  ['GET', '/api/stats'],
  ['GET', '/api/queues'],
  ['POST', '/api/queues/{name}/pause'],
  ['POST', '/api/queues/{name}/resume'],
  ['PATCH', '/api/queues/{name}'],
  ['GET', '/api/handlers'],
  ['GET', '/api/logs/jobs'],
  ['GET', '/api/logs/errors'],
  ['GET', '/api/events'],
  ['GET', '/metrics'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/openapi.json'],
  ['GET', '/docs'],
];

const KEYS = [
  'handler',
  'method',
  'params',
  'queue',
  'priority',
  'delay',
  'runAt',
  'retries',
  'timeout',
  'uniqueKey',
  'uniqueFor',
  'uniqueStates',
  'tags',
  'backoff',
  'concurrencyKey',
  'concurrency',
  'keyConcurrency',
  'rateLimit',
  'periodMs',
  'jobs',
  'action',
  'ids',
  'filter',
  'cursor',
  'state',
  'text',
  'createdFrom',
  'createdTo',
  'sort',
  'limit',
  'window',
  'finishedBefore',
  'olderThan',
  'dryRun',
  'lines',
  'types',
  'dependsOn',
  'onDependencyFailure',
  '__proto__',
];

const weirdString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e309',
    'NaN',
    '9999999999999999999',
    '99999999999999999999',
    'mailer',
    'send',
    'reports',
    'build',
    'failed,queued',
    'a@example.com',
    '\u0000',
    '\ud800',
    '2026-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '%',
    '../../etc/passwd',
    'emails',
  ),
);

const value: fc.Arbitrary<unknown> = fc.oneof(
  weirdString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(weirdString, { maxLength: 4 }),
);

/** Objects built from the API's own field names, so validation gets past the first check. */
const plausible = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 });

/** Nearly valid jobs: a registered handler and method, some params, some options. */
const job = fc
  .tuple(
    fc.constantFrom(
      ['mailer', 'send', ['ann@example.com', 'Hi']],
      ['reports', 'build', [2026]],
      ['App\\Services\\SomeClass', 'someMethod', [1, 2]],
    ),
    fc.dictionary(fc.constantFrom(...KEYS.slice(3, 13)), value, { maxKeys: 2 }),
  )
  .map(([[handler, method, params], options]) => ({ handler, method, params, ...options }));

const body = fc.oneof(
  { weight: 3, arbitrary: job.map((o) => JSON.stringify(o)) },
  fc.array(job, { minLength: 1, maxLength: 3 }).map((jobs) => JSON.stringify({ jobs })),
  fc
    .dictionary(
      fc.constantFrom('a', 'b', 'c'),
      fc
        .tuple(
          job,
          fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c', 'x'), value), { maxLength: 3 }),
        )
        .map(([j, dependsOn]) => ({ ...j, dependsOn })),
      { maxKeys: 3 },
    )
    .map((jobs) => JSON.stringify({ jobs })),
  fc
    .record({ action: fc.constantFrom('cancel', 'retry', 'delete'), filter: plausible })
    .map((o) => JSON.stringify(o)),
  plausible.map((o) => JSON.stringify(o)),
  fc.record({ jobs: fc.array(plausible, { maxLength: 3 }) }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '',
    '{',
    '[]',
    'null',
    '{"a":',
    '"x"',
    `[${'['.repeat(5000)}`,
    'x'.repeat(20_000),
  ),
);

/** Percent-encodes; a lone surrogate becomes the bytes of one (invalid UTF-8), also worth sending. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

const segment = fc.oneof(
  weirdString.map(encode),
  fc.constantFrom('1', '42', '0', 'abc', '%00', '%zz', '..', 'emails'),
);

const path = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(['POST', '/api/jobs'] as const) },
  { weight: 4, arbitrary: fc.constantFrom(...ROUTES) },
  fc
    .tuple(fc.constantFrom(...ROUTES), segment)
    .map(([[method, template], part]) => [method, template.replace(/\{\w+\}/, part)] as const),
  fc
    .tuple(
      fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS'),
      fc.array(segment, { maxLength: 4 }),
    )
    .map(([method, parts]) => [method, `/${['api', ...parts].join('/')}`] as const),
);

const query = fc
  .array(fc.tuple(fc.constantFrom(...KEYS, 'x'), weirdString), { maxLength: 4 })
  .map((pairs) =>
    pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`,
  );

const headers = fc.record(
  {
    'Content-Type': fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      fc.constantFrom(
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/vnd.api+json',
        'garbage',
      ),
    ),
    Authorization: fc.constantFrom('Bearer x', 'Basic y', ''),
    Accept: fc.constantFrom('text/event-stream', 'application/json', '*/*'),
  },
  { requiredKeys: ['Content-Type'] },
);

describe('any request', () => {
  it('gets a status below 500 and, for 4xx, a JSON error body', async () => {
    await fc.assert(
      fc.asyncProperty(path, query, headers, body, async ([method, route], search, head, text) => {
        const hasBody = method !== 'GET' && method !== 'OPTIONS';
        const res = await api.app.request(`${route}${search}`, {
          method,
          headers: head,
          ...(hasBody ? { body: text } : {}),
        });
        if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
          await res.body?.cancel();
          expect(res.status).toBe(200);
          return;
        }
        const raw = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${method} ${route}${search} ${raw}`).toBeLessThan(500);
        if (res.status >= 400) {
          const parsed = JSON.parse(raw) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof parsed.error?.code).toBe('string');
          expect(typeof parsed.error?.message).toBe('string');
        }
      }),
      { numRuns: 400 },
    );
    expect(unexpected).toEqual([]);
    // The runs reach past validation too: some are stored, listed or acted on.
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  });
});
