import { describe, expect, it } from 'vitest';
import { spanIds } from './insert-span.js';

describe('spanIds', () => {
  it('counts up from the first id when the ids ran without gaps', () => {
    expect(spanIds({ now_us: '0', first: '41', n: 3, ids: null })).toEqual(['41', '42', '43']);
  });

  it('counts exactly past the largest integer a double holds', () => {
    expect(spanIds({ now_us: '0', first: '9007199254740990', n: 4, ids: null })).toEqual([
      '9007199254740990',
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
    ]);
  });

  it('takes the listed ids when other inserts took ids in between', () => {
    expect(spanIds({ now_us: '0', first: '5', n: 3, ids: '5,7,12' })).toEqual(['5', '7', '12']);
  });

  it('has no ids for an empty span', () => {
    expect(spanIds({ now_us: '0', first: null, n: 0, ids: null })).toEqual([]);
  });
});
