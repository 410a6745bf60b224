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

/** What a terminal or a line reader acts on: no log line may hold one raw. */
const RAW_CONTROL = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;

/** Everything some reader treats as the end of a line. */
const ANY_LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;

/** A message trying every way to forge a line or drive a terminal. */
const FORGING =
  'boom\rcarriage \x1b[2J\x1b[31mred\vvt \u0085nel \u2028ls \u202eevil' +
  '\n2026-01-01T00:00:00.000Z [error] job 1 handler="x" status=failed';

describe('log file entries that carry hostile text', () => {
  it('keeps an error entry whose message and stack try to forge lines to one head and indented lines', () => {
    const entry = formatErrorLogEntry(
      { id: '7', handler: 'App\\Evil\u2028', method: 'run\x1b' },
      {
        attempt: 1,
        name: 'Error\r',
        message: FORGING,
        stack: `Error: ${FORGING}\n    at run (C:\\app\\file.js:1:1)`,
        at: '2030-01-01T00:00:00.000Z',
        workerId: 'w\u0085',
      },
      'failed',
    );
    expect(entry.endsWith('\n')).toBe(true);
    const lines = entry.slice(0, -1).split('\n');
    for (const line of lines) expect(line).not.toMatch(RAW_CONTROL);
    expect(entry.slice(0, -1).split(ANY_LINE_BREAK)).toEqual(lines);
    expect(lines.filter((line) => /^\d{4}-/.test(line))).toHaveLength(1);
    expect(lines[0]).toMatch(/^2030-01-01T00:00:00\.000Z id=7 /);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}/);
    const fields = Object.fromEntries(
      [...(lines[0] ?? '').matchAll(/(\w+)=("(?:[^"\\]|\\.)*")/g)].map((m) => [
        m[1],
        JSON.parse(m[2] ?? '""'),
      ]),
    );
    expect(fields).toEqual({
      handler: 'App\\Evil\u2028',
      method: 'run\x1b',
      worker: 'w\u0085',
      error: `Error\r: ${FORGING}`,
    });
    expect(lines.slice(1)).toEqual([
      '  Error: boom\\rcarriage \\u001b[2J\\u001b[31mred\\u000bvt \\u0085nel \\u2028ls \\u202eevil',
      '  2026-01-01T00:00:00.000Z [error] job 1 handler="x" status=failed',
      '      at run (C:\\\\app\\\\file.js:1:1)',
    ]);
  });

  it('keeps a job-log line whose names and worker id carry controls to one line of printable text', () => {
    const line = formatJobLogLine({
      at: new Date('2030-01-01T00:00:00.000Z'),
      job: { id: '9', handler: 'h\u2028\x1b[2J', method: 'm\r\u0085' },
      status: 'failed',
      attempt: 1,
      workerId: 'host\v\u202e',
    });
    expect(line).toBe(
      '2030-01-01T00:00:00.000Z id=9 handler="h\\u2028\\u001b[2J" method="m\\r\\u0085" status=failed attempt=1 duration_ms=- worker="host\\u000b\\u202e"\n',
    );
    expect(line.slice(0, -1)).not.toMatch(RAW_CONTROL);
    expect(line.slice(0, -1).split(ANY_LINE_BREAK)).toHaveLength(1);
  });

  it('starts an error entry with a timestamp even when the stored time is not one', () => {
    const error = { attempt: 1, name: 'Error', message: 'm', workerId: 'w' };
    const heads = ['  2026-01-01 forged', '', 'Thu, 01 Jan 2026 00:00:00 GMT'].map(
      (at) => formatErrorLogEntry(job, { ...error, at }, 'failed').split(' ', 1)[0],
    );
    expect(heads).toEqual([
      '1970-01-01T00:00:00.000Z',
      '1970-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
  });
});
