import { describe, expect, it } from 'vitest';
import { formatJobLogLine, type JobLogEntry, type JobLogStatus } from './job-log-line.js';
import { escapeLogText, quoteLogText } from './log-text.js';

/** The line as its documentation spells it, built the plain way. */
function reference(entry: JobLogEntry): string {
  const duration = entry.durationMs === undefined ? '-' : String(Math.round(entry.durationMs));
  return (
    `${entry.at.toISOString()} id=${escapeLogText(entry.job.id)} handler=${quoteLogText(entry.job.handler)}` +
    ` method=${quoteLogText(entry.job.method)} status=${entry.status} attempt=${entry.attempt}` +
    ` duration_ms=${duration} worker=${quoteLogText(entry.workerId)}\n`
  );
}

const STATUSES: readonly JobLogStatus[] = [
  'running',
  'completed',
  'retrying',
  'failed',
  'cancelled',
  'queued',
  'deleted',
  'lease-lost',
];

const NAMES = [
  'mailer',
  'App\\Services\\Mailer',
  'say "hi"',
  'nul\u0000here',
  'lone \ud800 surrogate',
  'line\nbreak\u2028sep',
  '\u202Eright-to-left',
  '',
  'x'.repeat(5_000),
];

describe('job-log line', () => {
  it('is the documented line for every status, name, worker, time and duration, remembered or not', () => {
    let n = 0;
    for (const status of STATUSES) {
      for (const handler of NAMES) {
        for (const method of NAMES.slice(0, 4)) {
          for (const workerId of ['host:1:ab', 'w "q"', 'tab\there']) {
            for (const durationMs of [undefined, 0, 12.5, 12.4, 86_400_000.7]) {
              n += 1;
              const entry: JobLogEntry = {
                // A new time every few lines, the same time for the others (the remembered head).
                at: new Date(Date.UTC(2030, 0, 1) + Math.floor(n / 3)),
                job: { id: n % 7 === 0 ? `weird\nid ${n}` : String(n), handler, method },
                status,
                attempt: n % 5,
                workerId,
                ...(durationMs === undefined ? {} : { durationMs }),
              };
              const line = formatJobLogLine(entry);
              expect(line).toBe(reference(entry));
              // Twice: the second comes from what the first remembered.
              expect(formatJobLogLine(entry)).toBe(line);
            }
          }
        }
      }
    }
  });

  it('keeps one line per entry whatever the names hold', () => {
    const line = formatJobLogLine({
      at: new Date(0),
      job: { id: '1', handler: 'a\r\nb', method: 'c\u0085d' },
      status: 'failed',
      attempt: 3,
      workerId: 'w\n',
    });
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).not.toMatch(/\r|\u0085/);
  });
});
