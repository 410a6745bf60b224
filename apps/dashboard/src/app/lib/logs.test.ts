import { describe, expect, it } from 'vitest';
import { filterEntries, groupEntries, newestFirst, parseFields } from './logs.js';

const jobLine =
  '2026-01-01T12:00:01.000Z id=7 handler="App\\\\Services\\\\Mailer" method="send" status=completed attempt=1 duration_ms=12 worker="host:1:ab"';
const errorHead =
  '2026-01-01T12:00:02.000Z id=8 handler="mailer" method="send" status=failed attempt=2 worker="w" error="Error: boom \\"quoted\\""';

describe('parseFields', () => {
  it('reads plain and JSON-quoted values', () => {
    expect(parseFields(jobLine)).toEqual({
      id: '7',
      handler: 'App\\Services\\Mailer',
      method: 'send',
      status: 'completed',
      attempt: '1',
      duration_ms: '12',
      worker: 'host:1:ab',
    });
    expect(parseFields(errorHead).error).toBe('Error: boom "quoted"');
  });
});

describe('groupEntries', () => {
  it('keeps each stack with its entry, newest first on demand', () => {
    const entries = groupEntries([
      '  at cut.off (x.js:1:1)',
      jobLine,
      errorHead,
      '  Error: boom',
      '    at send (mailer.ts:3:9)',
    ]);
    expect(entries).toHaveLength(3);
    expect(entries[0]?.at).toBeNull();
    expect(entries[2]?.detail).toEqual(['Error: boom', '  at send (mailer.ts:3:9)']);
    expect(entries[2]?.at).toBe('2026-01-01T12:00:02.000Z');
    expect(newestFirst(entries).map((e) => e.fields.id)).toEqual(['8', '7', undefined]);
  });

  it('finds text in heads and stacks, case-insensitively', () => {
    const entries = groupEntries([jobLine, errorHead, '  at Send (mailer.ts:3:9)']);
    expect(filterEntries(entries, 'MAILER.TS').map((e) => e.fields.id)).toEqual(['8']);
    expect(filterEntries(entries, ' ')).toHaveLength(2);
  });
});
