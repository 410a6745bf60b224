import type { Logger } from './logger.js';
import type { Worker } from './types.js';

/** The signals that stop a worker. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Exit codes after a second signal: 128 + the signal's number, as shells report it. */
const SIGNAL_EXIT_CODES: Readonly<Record<(typeof STOP_SIGNALS)[number], number>> = {
  SIGINT: 130,
  SIGTERM: 143,
};

/** How `installSignalHandlers` reacts. */
export interface SignalHandlerOptions {
  /** Grace given to running jobs on the first signal (default: the worker's `graceMs`). */
  readonly graceMs?: number;
  /** Ends the process (default `process.exit`). */
  readonly exit?: (code: number) => void;
  /** Runs after the worker stopped and before exit(0), e.g. to close the store. */
  readonly beforeExit?: () => Promise<void>;
  readonly logger?: Logger;
  /** The process to listen on (default `process`). */
  readonly target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * First SIGTERM or SIGINT: graceful stop of `worker`, then exit 0 (exit 1 when stopping failed).
 * A second one: exit at once (running jobs are rescued later, when their leases expire).
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  worker: Worker,
  options: SignalHandlerOptions = {},
): () => void {
  const { exit = (code: number) => process.exit(code), target = process, logger } = options;
  let received = false;
  const onSignal = (signal: (typeof STOP_SIGNALS)[number]) => {
    if (received) {
      logger?.warn('second signal: exiting at once', { signal });
      exit(SIGNAL_EXIT_CODES[signal]);
      return;
    }
    received = true;
    logger?.info('signal received: stopping gracefully', { signal });
    const stopping =
      options.graceMs === undefined ? worker.stop() : worker.stop({ graceMs: options.graceMs });
    stopping
      .then(() => options.beforeExit?.())
      .then(
        () => exit(0),
        (error: unknown) => {
          logger?.error('graceful stop failed', { error });
          exit(1);
        },
      );
  };
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => onSignal(signal);
    target.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) target.off(signal, handler);
  };
}
