import { describe, expect, it } from 'vitest';
import { newLines, printLogLines } from './log-tail.js';

describe('newLines (following a log through its tails)', () => {
  it('returns what came after the last line seen', () => {
    expect(newLines(['a', 'b'], ['a', 'b', 'c', 'd'])).toEqual(['c', 'd']);
    expect(newLines(['a', 'b'], ['b', 'c'])).toEqual(['c']);
    expect(newLines(['a', 'b'], ['a', 'b'])).toEqual([]);
  });

  it('does not mistake an earlier repeat of the last line for it', () => {
    expect(newLines(['x', 'b'], ['y', 'b', 'x', 'b', 'c'])).toEqual(['c']);
  });

  it('prints everything when the file moved on past the previous tail', () => {
    expect(newLines(['a'], ['q', 'r'])).toEqual(['q', 'r']);
    expect(newLines([], ['q'])).toEqual(['q']);
  });
});

describe('printLogLines', () => {
  it('writes each line escaped, so an old log cannot reach the terminal with raw ESC or CR', () => {
    let written = '';
    printLogLines({ write: (text: string) => (written += text) }, [
      'plain "line" C:\\path',
      'old \x1b[2J\x1b[31mred\rcr\u2028ls',
    ]);
    expect(written).toBe('plain "line" C:\\path\nold \\u001b[2J\\u001b[31mred\\rcr\\u2028ls\n');
  });
});
