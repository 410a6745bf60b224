import { describe, expect, it } from 'vitest';
import { formatErrorLogEntry, formatJobLogLine } from './job-log.js';

const job = { id: '42', handler: 'App\\Services\\Mailer', method: 'send' };

describe('log file entries', () => {
  it('writes a job-log line with time, id, handler, method, status, attempt and duration', () => {
    const line = formatJobLogLine({
      at: new Date('2030-01-01T00:00:00.000Z'),
      job,
      status: 'completed',
      attempt: 2,
      durationMs: 12.6,
      workerId: 'host:1:ab',
    });
    expect(line).toBe(
      '2030-01-01T00:00:00.000Z id=42 handler="App\\\\Services\\\\Mailer" method="send" status=completed attempt=2 duration_ms=13 worker="host:1:ab"\n',
    );
  });

  it('writes an error-log entry whose stack lines are indented and whose message stays on one line', () => {
    const entry = formatErrorLogEntry(
      job,
      {
        attempt: 1,
        name: 'Error',
        message: 'two\nlines',
        stack: 'Error: two\n    at a (file.js:1:1)',
        at: '2030-01-01T00:00:00.000Z',
        workerId: 'w',
      },
      'retrying',
    );
    expect(entry.split('\n')).toEqual([
      '2030-01-01T00:00:00.000Z id=42 handler="App\\\\Services\\\\Mailer" method="send" status=retrying attempt=1 worker="w" error="Error: two\\nlines"',
      '  Error: two',
      '      at a (file.js:1:1)',
      '',
    ]);
  });
});
