import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER } from '../lib/filters.js';
import { counts, fakeApi, wireJob } from '../testing/fake-api.js';
import { countMatching, runBulkAction } from './bulk.js';
import { makeClient, read } from './client.js';
import { ApiError } from './errors.js';

const stats = {
  byState: counts({ failed: 1234 }),
  byQueue: [{ queue: 'emails', byState: counts({ failed: 34 }) }],
  throughput: { minutes: 1, points: [] },
};

describe('countMatching', () => {
  it('asks the stats for a filter on states and queue (one call at any size)', async () => {
    const api = fakeApi({ 'GET /api/stats': () => stats });
    const client = makeClient('http://dash.test', null, api.fetch);
    expect(await countMatching(client, { ...EMPTY_FILTER, state: ['failed'] })).toEqual({
      count: 1234,
      atLeast: false,
    });
    expect(
      await countMatching(client, { ...EMPTY_FILTER, state: ['failed'], queue: 'emails' }),
    ).toEqual({
      count: 34,
      atLeast: false,
    });
    expect(api.calls.map((c) => c.path)).toEqual(['/api/stats', '/api/stats']);
  });

  it('reads id pages for a text search, following cursors', async () => {
    const api = fakeApi({
      'GET /api/jobs': (call) =>
        call.query.get('cursor') === null
          ? { jobs: [wireJob({ id: '3' }), wireJob({ id: '2' })], nextCursor: 'c1' }
          : { jobs: [wireJob({ id: '1' })], nextCursor: null },
    });
    const client = makeClient('http://dash.test', null, api.fetch);
    expect(await countMatching(client, { ...EMPTY_FILTER, text: 'boom' })).toEqual({
      count: 3,
      atLeast: false,
    });
    expect(
      api.calls.map((c) => [c.query.get('text'), c.query.get('cursor'), c.query.get('limit')]),
    ).toEqual([
      ['boom', null, '500'],
      ['boom', 'c1', '500'],
    ]);
  });
});

describe('runBulkAction', () => {
  it('sends picked ids in one call', async () => {
    const api = fakeApi({
      'POST /api/jobs/actions': () => ({
        action: 'cancel',
        matched: 2,
        changed: 1,
        nextCursor: null,
      }),
    });
    const client = makeClient('http://dash.test', 'tok', api.fetch);
    expect(await runBulkAction(client, 'cancel', { kind: 'ids', ids: ['1', '2'] })).toEqual({
      matched: 2,
      changed: 1,
    });
    expect(api.calls[0]?.body).toEqual({ action: 'cancel', ids: ['1', '2'] });
    expect(api.calls[0]?.headers.get('authorization')).toBe('Bearer tok');
  });

  it('goes on with the cursor the server hands back until it is done', async () => {
    const api = fakeApi({
      'POST /api/jobs/actions': (call) =>
        (call.body as { cursor?: string }).cursor === undefined
          ? { action: 'retry', matched: 10_000, changed: 9_990, nextCursor: 'c1' }
          : { action: 'retry', matched: 5, changed: 5, nextCursor: null },
    });
    const client = makeClient('http://dash.test', null, api.fetch);
    const progress: number[] = [];
    const result = await runBulkAction(
      client,
      'retry',
      { kind: 'filter', filter: { ...EMPTY_FILTER, state: ['failed'], queue: 'emails' } },
      (p) => progress.push(p.matched),
    );
    expect(result).toEqual({ matched: 10_005, changed: 9_995 });
    expect(progress).toEqual([10_000, 10_005]);
    expect(api.calls.map((c) => c.body)).toEqual([
      { action: 'retry', filter: { state: ['failed'], queue: ['emails'] } },
      { action: 'retry', filter: { state: ['failed'], queue: ['emails'] }, cursor: 'c1' },
    ]);
  });
});

describe('read', () => {
  it('turns error answers and network failures into ApiError', async () => {
    const api = fakeApi({
      'GET /api/jobs/:id': () => ({
        status: 404,
        body: { error: { code: 'not_found', message: 'no job 9', field: 'id' } },
      }),
    });
    const client = makeClient('http://dash.test', null, api.fetch);
    const error = await read(client.api.jobs[':id'].$get({ param: { id: '9' } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 404,
      code: 'not_found',
      message: 'no job 9',
      field: 'id',
    });

    const down = makeClient('http://dash.test', null, async () => {
      throw new TypeError('Failed to fetch');
    });
    const failure = await read(down.api.stats.$get({ query: {} })).catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 0, code: 'network_error', isNetwork: true });
  });
});
