import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAll, type SpawnedWorker, spawnWorker } from '@jobs/worker/testing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module fixture (the worker process loads it too)
import { handlers } from './fixtures/traced-handlers.mjs';
import { createTestApi, type TestApi } from './helpers.js';

/** A span as the worker process's exporter wrote it (fixtures/traced-worker.mjs). */
interface FileSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly links: readonly string[];
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly string[];
  readonly status: SpanStatusCode;
}

const WORKER_MODULE = fileURLToPath(new URL('./fixtures/traced-worker.mjs', import.meta.url));

// This process is the API's: its spans go to memory. The worker process writes its own to a file.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

let api: TestApi;
let dir: string;
const workers: SpawnedWorker[] = [];

beforeAll(async () => {
  api = await createTestApi('tracing', { handlers });
  dir = mkdtempSync(join(tmpdir(), 'jobs-tracing-'));
});

afterAll(async () => {
  killAll(workers.map((w) => w.child));
  await provider.shutdown();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function readLines<T>(file: string): T[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

describe('one trace from the API request to every attempt, across processes', () => {
  it('parents and links the request, the enqueue and both attempts of a retried job', async () => {
    const spansFile = join(dir, 'worker-spans.jsonl');
    const effectsFile = join(dir, 'effects.txt');
    const res = await api.app.request('/api/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        handler: 'traced',
        method: 'flaky',
        params: ['t1'],
        retries: 1,
        backoff: { kind: 'fixed', delayMs: 0 },
      }),
    });
    const job = (await res.json()) as { id: string };
    expect(res.status, JSON.stringify(job)).toBe(201);

    const worker = await spawnWorker({
      url: api.schema.url,
      schema: api.schema.schema,
      handlers: WORKER_MODULE,
      args: ['--concurrency', '2'],
      env: { SPANS_FILE: spansFile, EFFECTS_FILE: effectsFile },
    });
    workers.push(worker);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const stored = await api.store.jobGet({ id: job.id });
      if (stored?.state === 'completed') break;
      if (Date.now() > deadline)
        throw new Error(`job ${job.id} did not complete: ${stored?.state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    worker.child.kill('SIGTERM');
    await worker.exited;

    // What the handler did: called twice (the first call failed).
    expect(readFileSync(effectsFile, 'utf8').trim().split('\n')).toEqual(['t1 1', 't1 2']);

    // The API process: the request (server) and, inside it, the enqueue (producer).
    const apiSpans = exporter.getFinishedSpans();
    const server = apiSpans.find((s) => s.kind === SpanKind.SERVER);
    const producer = apiSpans.find((s) => s.kind === SpanKind.PRODUCER);
    expect(server?.name).toBe('POST /api/jobs');
    expect(server?.attributes['http.route']).toBe('/api/jobs');
    expect(server?.attributes['http.response.status_code']).toBe(201);
    expect(producer).toBeDefined();
    if (server === undefined || producer === undefined) return;
    const traceId = server.spanContext().traceId;
    expect(producer.spanContext().traceId).toBe(traceId);
    expect(producer.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(producer.name).toBe('send default');
    expect(producer.attributes).toMatchObject({
      'messaging.system': 'jobs',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'default',
      'messaging.message.id': job.id,
    });

    // The worker process: one consumer span per attempt, children of the producer and linked
    // to it, in the same trace; the handler's own spans are children of their attempt's.
    const workerSpans = readLines<FileSpan>(spansFile);
    const attempts = workerSpans
      .filter((s) => s.kind === SpanKind.CONSUMER)
      .sort((a, b) => Number(a.attributes['jobs.attempt']) - Number(b.attributes['jobs.attempt']));
    expect(attempts.map((s) => s.attributes['jobs.attempt'])).toEqual([1, 2]);
    for (const attempt of attempts) {
      expect(attempt.name).toBe('process default');
      expect(attempt.traceId).toBe(traceId);
      expect(attempt.parentSpanId).toBe(producer.spanContext().spanId);
      expect(attempt.links).toEqual([producer.spanContext().spanId]);
      expect(attempt.attributes).toMatchObject({
        'messaging.system': 'jobs',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'default',
        'messaging.message.id': job.id,
        'jobs.handler': 'traced',
        'jobs.method': 'flaky',
      });
    }
    const [first, second] = attempts;
    expect(first?.status).toBe(SpanStatusCode.ERROR);
    expect(first?.events).toEqual(['exception', 'retry scheduled']);
    expect(first?.attributes['jobs.outcome']).toBe('retrying');
    expect(second?.status).toBe(SpanStatusCode.UNSET);
    expect(second?.attributes['jobs.outcome']).toBe('completed');
    const own = workerSpans.filter((s) => s.name.startsWith('handler work'));
    expect(own.map((s) => s.parentSpanId).sort()).toEqual(attempts.map((s) => s.spanId).sort());
    expect(new Set(own.map((s) => s.traceId))).toEqual(new Set([traceId]));
  }, 40_000);

  it('continues a trace the caller started (traceparent header)', async () => {
    exporter.reset();
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    const res = await api.app.request('/api/jobs', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        traceparent: `00-${callerTrace}-${callerSpan}-01`,
      },
      body: JSON.stringify({ handler: 'traced', method: 'flaky', params: ['t2'] }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
    expect(server?.spanContext().traceId).toBe(callerTrace);
    expect(server?.parentSpanContext?.spanId).toBe(callerSpan);
    // The stored context names the producer span, in the caller's trace.
    const stored = await api.store.jobGet({ id });
    // The job's detail names the trace, to find it in a tracing UI.
    const wire = (await (await api.app.request(`/api/jobs/${id}`)).json()) as { traceId: string };
    expect(wire.traceId).toBe(callerTrace);
    expect(stored?.traceContext?.traceparent).toMatch(
      new RegExp(`^00-${callerTrace}-[0-9a-f]{16}-01$`),
    );
  });

  it('a malformed traceparent or an oversized tracestate starts a fresh trace and stores no junk', async () => {
    exporter.reset();
    for (const headers of [
      { traceparent: '00-zzzz-not-a-trace' },
      { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` },
      {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: `k=${'v'.repeat(9000)}`,
      },
      { tracestate: 'a=1,b=2', traceparent: `ff-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
    ]) {
      const res = await api.app.request('/api/jobs', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ handler: 'traced', method: 'flaky', params: ['t3'] }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const stored = await api.store.jobGet({ id });
      const carrier = stored?.traceContext ?? {};
      expect(Object.keys(carrier).every((k) => k === 'traceparent' || k === 'tracestate')).toBe(
        true,
      );
      expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect((carrier.tracestate ?? '').length).toBeLessThanOrEqual(512);
    }
  });
});
