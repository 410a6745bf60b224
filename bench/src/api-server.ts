// The HTTP API as its own process for the API cases: `node api-server.js <url>`. Composes
// createApp + serve (as `jobs serve` does) on a free loopback port against the bench schema,
// with the bench handlers as the allow-list, and prints {"type":"ready","url":...}.
// Over IPC, {"type":"trace","on":true|false} records the SQL statements the store sends (via
// postgres-js's debug hook) and {"type":"dump"} answers {"type":"statements","statements":[...]},
// so the harness can EXPLAIN exactly what a request ran.
import { createApp, serve } from '@jobs/api';
import { createPgStore } from '@jobs/storage';
import { BENCH_SCHEMA } from './database.js';
import { handlers } from './handlers.js';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: api-server.js <database url>');
const store = createPgStore({ url, schema: BENCH_SCHEMA, applicationName: 'bench-api' });
const app = createApp({ store, handlers, token: null, onError: (e) => console.error(e) });
const server = await serve({ app, port: 0, hostname: '127.0.0.1' });

type DebugHook = (connection: number, query: string, params: unknown[]) => void;
const options = store.connection.sql.options as unknown as { debug: DebugHook | boolean };
let statements: { text: string; params: unknown[] }[] = [];
process.on('message', (message: { type?: string; on?: boolean }) => {
  if (message.type === 'trace') {
    statements = [];
    options.debug =
      message.on === true
        ? (_c, text, params) => {
            statements.push({
              text,
              params: params.map((p) => (typeof p === 'bigint' ? String(p) : p)),
            });
          }
        : false;
    process.send?.({ type: 'traced', on: message.on === true });
  } else if (message.type === 'dump') {
    process.send?.({ type: 'statements', statements });
  }
});

const stop = async () => {
  await server.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdout.write(`${JSON.stringify({ type: 'ready', url: server.url })}\n`);
