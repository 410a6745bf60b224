// What the end-to-end tests run: `jobs start --config apps/dashboard/e2e/jobs.config.ts`, with
// DATABASE_URL, JOBS_SCHEMA, PORT and the log paths set by the harness.
import { defineConfig } from '@jobs/cli';
import { handlers } from './handlers.js';

export default defineConfig({
  handlers,
  worker: { concurrency: 4, graceMs: 1000, pollIntervalMs: 250 },
  retention: { completed: '1d', queues: { audit: { completed: null, failed: '1h' } } },
});
