// Serves the API as its own process for the scenarios (so load and server do not share an
// event loop). Env: DATABASE_URL, JOBS_SCHEMA, PORT (0: a free one), HOST, JOBS_API_TOKEN.
// Prints {"type":"ready","url":...} on stdout once listening.
import { createApp, serve } from '@jobs/api';
import { createPgStore } from '@jobs/storage';
import { createJsonLogger, keepRunningOnUnhandledRejections } from '@jobs/worker';
import { handlers } from './handlers.js';

const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error('DATABASE_URL is required');
const store = createPgStore({
  url,
  ...(process.env.JOBS_SCHEMA ? { schema: process.env.JOBS_SCHEMA } : {}),
  applicationName: 'jobs-chaos-api',
});
keepRunningOnUnhandledRejections(createJsonLogger({ level: 'error' }));
const app = createApp({ store, handlers, onError: (error) => console.error('api error', error) });
try {
  const server = await serve({
    app,
    port: Number(process.env.PORT ?? 0),
    hostname: process.env.HOST ?? '127.0.0.1',
  });
  process.stdout.write(`${JSON.stringify({ type: 'ready', url: server.url, pid: process.pid })}\n`);
  const stop = async () => {
    await server.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  process.stderr.write(`api: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
