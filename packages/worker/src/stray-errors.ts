import type { Logger } from './logger.js';

/**
 * Keeps a daemon running through promise rejections nothing handled, logging each one. The
 * database driver can reject with a raw socket error (ECONNRESET) when a connection is cut
 * mid-query; without this, Node ends the process and every job it held waits for rescue.
 * Returns a function that removes the handler.
 */
export function keepRunningOnUnhandledRejections(
  logger: Logger,
  target: Pick<NodeJS.Process, 'on' | 'off'> = process,
): () => void {
  const onRejection = (reason: unknown) => {
    logger.error('unhandled promise rejection; the process keeps running', { error: reason });
  };
  target.on('unhandledRejection', onRejection);
  return () => {
    target.off('unhandledRejection', onRejection);
  };
}
