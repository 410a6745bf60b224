// The demo that `pnpm start` runs: `jobs start --config examples/jobs.config.ts`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@jobs/cli';
import { defineHandlers, handler } from '@jobs/core';
import { mailer, mailerSchemas } from './handlers/mailer.js';
import { payments } from './handlers/payments.js';
import primes from './handlers/primes.js';
import { reports } from './handlers/reports.js';
import { SomeClass } from './handlers/some-class.js';

export const handlers = defineHandlers({
  // The original's example: jobs run 'App\Services\SomeClass' someMethod '["hello", 2]'
  'App\\Services\\SomeClass': new SomeClass(),
  // Fails half the time: jobs run payments charge '["order-1", 4200]' --retries 5 --wait
  payments,
  // Long, with progress; cancel it halfway: jobs run reports build '[2025]' --wait
  reports,
  // CPU-bound, in a child process of its own: jobs run primes count '[3000000]' --wait
  primes: handler(primes, {
    isolate: { module: fileURLToPath(new URL('./handlers/primes.ts', import.meta.url)) },
  }),
  // Params checked by a schema: jobs run mailer send '["ada@example.com", "Hello"]'
  mailer: handler(mailer, { schemas: mailerSchemas }),
});

export default defineConfig({
  handlers,
  worker: { concurrency: 8 },
  // Limits that hold across every worker: at most 2 payment jobs at once, and at most 5 charges
  // a second; at most one running job per concurrency key (e.g. per order) in that queue.
  queues: {
    payments: { concurrency: 2, keyConcurrency: 1, rateLimit: { limit: 5, periodMs: 1000 } },
  },
  retries: { max: 3, backoff: { kind: 'exponential', baseMs: 1000, maxMs: 30_000, jitter: 0.2 } },
  // Recurring jobs: see them with `jobs schedules` or on the dashboard's Schedules page.
  schedules: [
    {
      name: 'nightly-report',
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      handler: 'reports',
      method: 'build',
      params: [2025],
    },
  ],
  // Where a `jobs worker` serves Prometheus metrics (jobs start/serve: /metrics on the API
  // port); a second worker on this machine would pass its own --metrics-port.
  // metrics: { port: 9464 },
  // OTLP traces (or `jobs start --otel`, or OTEL_TRACES_EXPORTER=otlp).
  tracing: { otlp: false },
});
