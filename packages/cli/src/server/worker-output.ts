import type { LogFields, Logger, Worker } from '@jobs/worker';
import { cyan, dim, duration, green, red, shortTime, yellow } from '../cli/output.js';

/** A daemon logger for people: warnings and errors, one line each. */
export function humanLogger(stream: NodeJS.WriteStream): Logger {
  const line = (level: string, message: string, fields?: LogFields) => {
    const error = fields?.error;
    const detail =
      error instanceof Error
        ? `: ${error.message}`
        : error === undefined
          ? ''
          : `: ${String(error)}`;
    stream.write(`${dim(shortTime(new Date().toISOString()))} ${level} ${message}${detail}\n`);
  };
  return {
    debug: () => {},
    info: () => {},
    warn: (message, fields) => line(yellow('warn'), message, fields),
    error: (message, fields) => line(red('error'), message, fields),
  };
}

/** Prints a line per job that starts, completes, fails, is retried or cancelled. */
export function printJobEvents(worker: Worker, write: (text: string) => void): void {
  const at = () => dim(shortTime(new Date().toISOString()));
  const name = (job: { id: string; handler: string; method: string }) =>
    `#${job.id} ${job.handler}.${job.method}`;
  worker.events.on('started', ({ job }) =>
    write(
      `${at()} ${cyan('▶')} ${name(job)} started (attempt ${job.attempt}/${job.maxAttempts})\n`,
    ),
  );
  worker.events.on('completed', ({ job, durationMs }) =>
    write(`${at()} ${green('✔')} ${name(job)} completed in ${duration(durationMs)}\n`),
  );
  worker.events.on('retrying', ({ job, error, delayMs }) =>
    write(
      `${at()} ${yellow('↻')} ${name(job)} failed: ${error.message}; retry in ${duration(delayMs)}\n`,
    ),
  );
  worker.events.on('failed', ({ job, error }) =>
    write(`${at()} ${red('✖')} ${name(job)} failed: ${error.message}\n`),
  );
  worker.events.on('cancelled', ({ job }) => write(`${at()} ${dim('⊘')} ${name(job)} cancelled\n`));
  worker.events.on('released', ({ job }) =>
    write(`${at()} ${dim('↩')} ${name(job)} handed back to the queue\n`),
  );
}
