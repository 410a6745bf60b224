import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient } from '@jobs/core';
import { createPgStore, type PgJobStore } from '@jobs/storage';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { hasPromtool, promtoolCheckMetrics } from '@jobs/worker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from './fixtures/jobs.config.js';
import { commandEnv, FIXTURE_CONFIG, jobs, startDaemon, trackDaemons, waitFor } from './helpers.js';

const HAS_PROMTOOL = hasPromtool();
const METRICS_URL = /metrics\s+(http:\/\/\S+?)\/metrics/;
const TOKEN = 'a'.repeat(40);
const DASHBOARD = fileURLToPath(
  new URL('../../../examples/grafana/jobs-dashboard.json', import.meta.url),
);

/** The value of the sample `series` (`name{labels}`) in exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics and traces from the daemons', () => {
  trackDaemons();
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('cli_observability');
    store = createPgStore({ url: schema.url, schema: schema.schema, max: 2 });
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  const env = (extra: Record<string, string> = {}) =>
    commandEnv({ DATABASE_URL: schema.url, JOBS_SCHEMA: schema.schema, ...extra });

  it('a standalone worker serves /metrics on --metrics-port: counters of what it ran', async () => {
    const worker = await startDaemon(
      ['worker', '--config', FIXTURE_CONFIG, '--metrics-port', '0', '--concurrency', '4'],
      { env: env(), urlPattern: METRICS_URL },
    );
    expect(worker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createClient(store, config.handlers);
    for (let i = 0; i < 5; i++) await client.enqueue('math', 'add', [i, 1]);
    await client.enqueue('broken', 'fail', ['no']);
    const url = `${worker.url}/metrics`;
    const text = await waitFor(async () => {
      const body = await (await fetch(url)).text();
      const done =
        sample(body, 'jobs_worker_completed_total{queue="default",handler="math",method="add"}') ===
          5 &&
        sample(body, 'jobs_worker_failed_total{queue="default",handler="broken",method="fail"}') ===
          1;
      return done && body;
    });
    // The worker did the work: the results are the handler's sums.
    const done = await store.jobList({ states: ['completed'], limit: 10 });
    expect(done.jobs.map((j) => j.result).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(
      sample(text, 'jobs_worker_started_total{queue="default",handler="math",method="add"}'),
    ).toBe(5);
    expect(
      sample(
        text,
        'jobs_worker_run_duration_seconds_count{queue="default",handler="math",method="add",outcome="completed"}',
      ),
    ).toBe(5);
    // Node's own metrics are there too.
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    if (HAS_PROMTOOL) expect(promtoolCheckMetrics(text)).toBe('');
    // Only GET: other methods 405 with Allow, other paths 404.
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${worker.url}/api/jobs`)).status).toBe(404);
    expect(await worker.stop()).toBe(0);
  });

  it('refuses a metrics address beyond loopback without a token, and asks for it with one', async () => {
    const refused = await jobs(
      ['worker', '--config', FIXTURE_CONFIG, '--metrics-port', '0', '--metrics-host', '0.0.0.0'],
      { env: env() },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);

    const worker = await startDaemon(
      ['worker', '--config', FIXTURE_CONFIG, '--metrics-port', '0', '--metrics-host', '0.0.0.0'],
      { env: env({ JOBS_API_TOKEN: TOKEN }), urlPattern: METRICS_URL },
    );
    const url = `${worker.url}/metrics`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await fetch(url, { headers: { Authorization: `Bearer ${'b'.repeat(40)}` } });
    expect(wrong.status).toBe(401);
    const allowed = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/^# HELP /m);
    // A Host that is not allowed gets 421 (no DNS rebinding onto the metrics either).
    const port = new URL(worker.url).port;
    const rebound = execFileSync(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-H',
        'Host: evil.example',
        `http://127.0.0.1:${port}/metrics`,
      ],
      { encoding: 'utf8' },
    );
    expect(rebound).toBe('421');
    expect(await worker.stop()).toBe(0);
  });

  it('jobs start serves /metrics that promtool accepts, with every family the Grafana dashboard reads', async () => {
    const server = await startDaemon(['start', '--config', FIXTURE_CONFIG], {
      env: env({ PORT: '0' }),
    });
    const client = createClient(store, config.handlers);
    await client.enqueue('math', 'add', [20, 22]);
    await waitFor(async () => {
      const body = await (await fetch(`${server.url}/metrics`)).text();
      return body.includes('handler="math",method="add"} 1');
    });
    // A scrape after at least one earlier scrape: that one's duration is in this one.
    const text = await (await fetch(`${server.url}/metrics`)).text();
    // The API's own families and the worker's share the one endpoint.
    expect(text).toMatch(/^jobs_in_state\{queue="default",state="completed"\} \d+/m);
    expect(text).toMatch(
      /^jobs_http_request_duration_seconds_count\{method="GET",route="\/metrics",status="200"\} \d+/m,
    );
    expect(text).toMatch(
      /^jobs_worker_completed_total\{queue="default",handler="math",method="add"\} 1/m,
    );
    if (HAS_PROMTOOL) expect(promtoolCheckMetrics(text)).toBe('');
    // examples/grafana/jobs-dashboard.json queries only families that exist.
    const dashboard = readFileSync(DASHBOARD, 'utf8');
    const queried = new Set(
      [...dashboard.matchAll(/\b((?:jobs|nodejs|process)_[a-z0-9_]+)/g)].map(([, name]) =>
        (name as string).replace(/_(bucket|sum|count)$/, ''),
      ),
    );
    expect(queried.size).toBeGreaterThan(10);
    const families = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name));
    expect([...queried].filter((name) => !families.has(name))).toEqual([]);
    expect(await server.stop()).toBe(0);
  });

  it('jobs start --otel sends the spans of an enqueue and its attempt to the OTLP endpoint', async () => {
    const bodies: Buffer[] = [];
    const collector: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces') bodies.push(Buffer.concat(chunks));
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      const server = await startDaemon(['start', '--config', FIXTURE_CONFIG, '--otel'], {
        env: env({
          PORT: '0',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_SERVICE_NAME: 'jobs-under-test',
          OTEL_BSP_SCHEDULE_DELAY: '100',
        }),
      });
      const res = await fetch(`${server.url}/api/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ handler: 'math', method: 'add', params: [1, 2] }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      await waitFor(async () => (await store.jobGet({ id }))?.state === 'completed');
      const seen = await waitFor(
        () => {
          const all = Buffer.concat(bodies).toString('latin1');
          return all.includes('process default') && all.includes('send default') && all;
        },
        15_000,
        'the spans at the collector',
      );
      // OTLP's protobuf carries names and attribute values as plain UTF-8.
      expect(seen).toContain('jobs-under-test');
      expect(seen).toContain('POST /api/jobs');
      expect(seen).toContain('messaging.destination.name');
      expect(await server.stop()).toBe(0);
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
