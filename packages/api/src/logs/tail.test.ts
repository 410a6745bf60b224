import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailFile } from './tail.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jobs-tail-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('tailFile', () => {
  it('returns the last lines, oldest first, and says when older ones were left out', async () => {
    const path = await file('a.log', Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
    expect(await tailFile(path, 3)).toEqual({
      lines: ['line 7', 'line 8', 'line 9'],
      truncated: true,
    });
    expect((await tailFile(path, 100)).lines).toHaveLength(10);
    expect((await tailFile(path, 10)).truncated).toBe(false);
  });

  it('keeps a last line without a newline, and drops carriage returns', async () => {
    const path = await file('b.log', 'one\r\ntwo\r\nthree');
    expect((await tailFile(path, 2)).lines).toEqual(['two', 'three']);
  });

  it('escapes control characters of lines written before logs were escaped, leaving escapes alone', async () => {
    const path = await file(
      'old.log',
      '2026-01-01T00:00:00.000Z id=1 handler="h" status=failed error="Error: x"\n' +
        '  Error: \x1b[2J\x1b]0;title\x07cr\r2026-01-01T00:00:00.000Z forged\u2028ls\u0085nel\v\u202eevil\n' +
        '  at C:\\app\\x.js \\u001b\r\n',
    );
    const { lines } = await tailFile(path, 10);
    expect(lines).toEqual([
      '2026-01-01T00:00:00.000Z id=1 handler="h" status=failed error="Error: x"',
      '  Error: \\u001b[2J\\u001b]0;title\\u0007cr\\r2026-01-01T00:00:00.000Z forged\\u2028ls\\u0085nel\\u000b\\u202eevil',
      '  at C:\\app\\x.js \\u001b',
    ]);
    for (const line of lines) expect(line).not.toMatch(/\p{Cc}|[\u2028\u2029\u202e]/u);
  });

  it('answers no lines for a missing or empty file', async () => {
    expect(await tailFile(join(dir, 'missing.log'), 5)).toEqual({ lines: [], truncated: false });
    expect(await tailFile(await file('empty.log', ''), 5)).toEqual({ lines: [], truncated: false });
  });

  it('reads only the end of a big file, across chunk borders and multi-byte characters', async () => {
    const line = `${'é'.repeat(500)} ✓`;
    const path = await file(
      'big.log',
      `${Array.from({ length: 5000 }, (_, i) => `${i} ${line}`).join('\n')}\n`,
    );
    const tail = await tailFile(path, 300);
    expect(tail.lines).toHaveLength(300);
    expect(tail.lines[0]).toBe(`4700 ${line}`);
    expect(tail.lines.at(-1)).toBe(`4999 ${line}`);
  });

  it('stops at the byte budget, leaving out the partial first line', async () => {
    const path = await file('long.log', `${'x'.repeat(10_000)}\nshort\nend\n`);
    expect(await tailFile(path, 100, 1000)).toEqual({ lines: ['short', 'end'], truncated: true });
  });
});
