/** A fake of the API for component tests: answers by method and path, and records the calls. */

/** One recorded call. */
export interface FakeCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly headers: Headers;
}

/** What a route returns: a body (answered 200) or a full answer. */
export type FakeAnswer = unknown | { readonly status: number; readonly body: unknown };

export type FakeRoute = (call: FakeCall) => FakeAnswer | Promise<FakeAnswer>;

function isAnswer(value: unknown): value is { status: number; body: unknown } {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

/** A stream that sends `ready` and stays open until the request is aborted. */
function eventStream(signal: AbortSignal | null | undefined): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('event: ready\ndata: {}\n\n'));
      signal?.addEventListener('abort', () => {
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      });
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

/**
 * A fetch for `ApiProvider`: routes are keyed `GET /api/jobs`, `POST /api/jobs/:id/cancel`
 * (`:x` matches one path segment). Unknown routes answer 404 with the API's error body.
 */
export function fakeApi(routes: Record<string, FakeRoute>) {
  const calls: FakeCall[] = [];
  const compiled = Object.entries(routes).map(([key, route]) => {
    const [method, pattern = ''] = key.split(' ');
    const regex = new RegExp(`^${pattern.replace(/:[a-z]+/g, '[^/]+')}$`);
    return { method, regex, route };
  });
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.pathname === '/api/events') return eventStream(init?.signal);
    const text = request.method === 'GET' ? '' : await request.text();
    const call: FakeCall = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body: text === '' ? undefined : JSON.parse(text),
      headers: request.headers,
    };
    calls.push(call);
    const match = compiled.find((r) => r.method === call.method && r.regex.test(call.path));
    if (match === undefined) {
      return Response.json(
        { error: { code: 'not_found', message: `no fake for ${call.method} ${call.path}` } },
        { status: 404 },
      );
    }
    const answer = await match.route(call);
    return isAnswer(answer)
      ? Response.json(answer.body, { status: answer.status })
      : Response.json(answer);
  };
  return { fetch: fetchImpl as typeof fetch, calls };
}

/** A job as the API sends it, with defaults for what a test does not care about. */
export function wireJob(overrides: Record<string, unknown> = {}) {
  return {
    id: '1',
    queue: 'default',
    handler: 'mailer',
    method: 'send',
    params: ['a@b.c', 'Hi'],
    priority: 0,
    state: 'queued',
    attempt: 0,
    maxAttempts: 4,
    runAt: '2026-01-01T12:00:00.000Z',
    createdAt: '2026-01-01T12:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    timeoutMs: null,
    progress: null,
    result: null,
    errors: [],
    errorsDropped: 0,
    logs: [],
    uniqueKey: null,
    traceId: null,
    tags: [],
    backoff: { kind: 'exponential', baseMs: 1000, maxMs: 3_600_000 },
    schedule: null,
    concurrencyKey: null,
    ...overrides,
  };
}

/** Counts of every state, zero unless given. */
export function counts(overrides: Record<string, number> = {}) {
  return {
    waiting: 0,
    scheduled: 0,
    queued: 0,
    running: 0,
    retrying: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    ...overrides,
  };
}

/** A memory Storage for the token. */
export function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (index) => [...map.keys()][index] ?? null,
    removeItem: (key) => {
      map.delete(key);
    },
    setItem: (key, value) => {
      map.set(key, value);
    },
  };
}
