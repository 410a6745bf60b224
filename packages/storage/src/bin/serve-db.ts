#!/usr/bin/env node
// `jobs-db`: starts the database the system runs on and keeps it up until Ctrl-C. With
// DATABASE_URL it migrates that server; without, it starts (or joins) the embedded
// PostgreSQL in ./.jobs. The CLI issue folds this into `jobs start`.
import { startEmbeddedPostgres } from '../embedded/index.js';
import { migrate } from '../migrate.js';

async function main(): Promise<void> {
  const external = process.env.DATABASE_URL;
  const server = external ? null : await startEmbeddedPostgres();
  const url = external ?? server!.url;
  await migrate({ url });
  const where =
    server === null ? 'DATABASE_URL' : server.owner ? 'embedded, started' : 'embedded, joined';
  process.stdout.write(`jobs database ready (${where}): ${url}\nPress Ctrl-C to stop.\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Keep the process alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

main().catch((error: unknown) => {
  process.stderr.write(`jobs-db: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
