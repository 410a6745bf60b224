import { describe, expect, it } from 'vitest';
import { counts } from '../testing/fake-api.js';
import {
  countFromStats,
  describeFilter,
  EMPTY_FILTER,
  filterToActionBody,
  filterToQuery,
  filterToSearch,
  parseFilter,
} from './filters.js';

describe('job filters in the URL', () => {
  it('round-trips through the query string', () => {
    const filter = parseFilter(
      new URLSearchParams(
        'state=failed,retrying&queue=emails&handler=mailer&method=send&q=boom&sort=oldest',
      ),
    );
    expect(filter).toEqual({
      state: ['failed', 'retrying'],
      queue: 'emails',
      handler: 'mailer',
      method: 'send',
      text: 'boom',
      sort: 'oldest',
    });
    expect(parseFilter(new URLSearchParams(filterToSearch(filter)))).toEqual(filter);
  });

  it('drops unknown states, blanks and duplicates', () => {
    const filter = parseFilter(new URLSearchParams('state=failed,bogus,failed&queue=%20&q='));
    expect(filter).toEqual({ ...EMPTY_FILTER, state: ['failed'] });
    expect(filterToSearch(EMPTY_FILTER)).toBe('');
  });

  it('becomes the list query and the bulk action body', () => {
    const filter = { ...EMPTY_FILTER, state: ['failed' as const], queue: 'emails', text: 'x' };
    expect(filterToQuery(filter)).toEqual({
      state: 'failed',
      queue: 'emails',
      text: 'x',
      sort: 'newest',
    });
    expect(filterToActionBody(filter)).toEqual({ state: ['failed'], queue: ['emails'], text: 'x' });
  });

  it('describes itself in words', () => {
    expect(describeFilter(EMPTY_FILTER)).toBe('jobs');
    expect(
      describeFilter({
        ...EMPTY_FILTER,
        state: ['failed'],
        queue: 'emails',
        handler: 'mailer',
        method: 'send',
        text: 'boom',
      }),
    ).toBe('failed jobs in queue emails of mailer.send matching "boom"');
  });
});

describe('countFromStats', () => {
  const stats = {
    byState: counts({ failed: 7, queued: 3, completed: 90 }),
    byQueue: [
      { queue: 'emails', byState: counts({ failed: 5, queued: 1 }) },
      { queue: 'reports', byState: counts({ failed: 2, queued: 2, completed: 90 }) },
    ],
  };

  it('counts states overall or in one queue', () => {
    expect(countFromStats({ ...EMPTY_FILTER, state: ['failed'] }, stats)).toBe(7);
    expect(
      countFromStats({ ...EMPTY_FILTER, state: ['failed', 'queued'], queue: 'emails' }, stats),
    ).toBe(6);
    expect(countFromStats(EMPTY_FILTER, stats)).toBe(100);
    expect(countFromStats({ ...EMPTY_FILTER, queue: 'nowhere' }, stats)).toBe(0);
  });

  it('cannot count a filter on handler, method or text', () => {
    expect(countFromStats({ ...EMPTY_FILTER, text: 'boom' }, stats)).toBeNull();
    expect(countFromStats({ ...EMPTY_FILTER, handler: 'mailer' }, stats)).toBeNull();
  });
});
