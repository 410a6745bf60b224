// A delay proxy as its own process: `node proxy-process.js '<ProxyProcessConfig JSON>'`. Prints
// {"type":"ready","port":N} once it listens; answers {"type":"stats"} on the IPC channel with its
// counters; closes on SIGTERM. Its own process, so that its CPU is the same for every contender
// and shows in the case's CPU figures, apart from the harness's.
import { type ProxyStats, startDelayProxy } from './delay-proxy.js';

/** What the proxy process is told (as JSON in argv[2]). */
export interface ProxyProcessConfig {
  readonly target: { readonly host: string; readonly port: number };
  readonly roundTripMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ProxyProcessConfig;
const proxy = await startDelayProxy(config);
process.on('message', (message: { type?: unknown }) => {
  if (message.type === 'stats') {
    const stats: ProxyStats & { type: string } = { type: 'stats', ...proxy.stats() };
    process.send?.(stats);
  }
});
const shutdown = () => {
  proxy.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The harness went away without stopping it.
process.on('disconnect', shutdown);
process.stdout.write(`${JSON.stringify({ type: 'ready', port: proxy.port, pid: process.pid })}\n`);
