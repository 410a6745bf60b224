// The embedded PostgreSQL's keeper, forked by the CLI with `detached: true`: the server then
// lives in a process group of its own, so a Ctrl-C in the terminal reaches the CLI (which
// drains its worker while the database still answers) and not the database. The keeper starts
// or joins the server in the folder given as its argument, reports on IPC, and stops the
// server it started when told to, or when the CLI goes away (IPC disconnect), even after a
// `kill -9` of the CLI. Its output goes to `<dir>/postgres-host.log`.
import { startEmbeddedPostgres } from '@jobs/storage/embedded';
import type { HostMessage } from './embedded-protocol.js';

function send(message: HostMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(message, () => resolve());
  });
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: embedded-host <dir>');
  const server = await startEmbeddedPostgres({
    dir,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (!server.owner) {
    await send({ type: 'ready', url: server.url, owner: false, port: server.port });
    process.disconnect?.();
    return;
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.stop().then(
      async () => {
        await send({ type: 'stopped' });
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`stopping postgres failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('message', (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await send({ type: 'ready', url: server.url, owner: true, port: server.port });
  if (!process.connected) stop();
}

main().catch(async (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? message) : message}\n`);
  await send({ type: 'error', message });
  process.exit(1);
});
