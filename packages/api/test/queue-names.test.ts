import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

describe('queue names without jobs', () => {
  let api: TestApi;
  const queueRows = async () => {
    const rows = await api.store.connection.sql<{ name: string }[]>`
      SELECT name FROM job_queues ORDER BY name`;
    return rows.map((r) => r.name);
  };
  const listed = async () => {
    const res = await api.call('GET', '/api/queues');
    expect(res.status).toBe(200);
    return (await res.json()).queues.map((q: { name: string; paused: boolean }) => [
      q.name,
      q.paused,
    ]);
  };

  beforeAll(async () => {
    api = await createTestApi('queue_names');
    await api.call('POST', '/api/jobs', {
      json: { handler: 'reports', method: 'build', params: [2026], queue: 'emails' },
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses to pause or resume an unknown queue with a 404 naming it, creating nothing', async () => {
    for (const action of ['pause', 'resume']) {
      const res = await api.call('POST', `/api/queues/typo/${action}`);
      expect(res.status).toBe(404);
      const { error } = await res.json();
      expect(error).toMatchObject({ code: 'not_found', field: 'name' });
      expect(error.message).toContain('queue "typo" does not exist');
    }
    expect(await queueRows()).toEqual(['emails']);
    expect(await listed()).toEqual([['emails', false]]);
  });

  it('pauses a queue before its first job with create=true, and lists it while paused', async () => {
    const res = await api.call('POST', '/api/queues/later/pause?create=true');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ queue: { name: 'later', paused: true } });
    expect(await listed()).toEqual([
      ['emails', false],
      ['later', true],
    ]);
    const resumed = await api.call('POST', '/api/queues/later/resume');
    expect(await resumed.json()).toEqual({ queue: { name: 'later', paused: false } });
    // Empty and resumed: no longer listed.
    expect(await listed()).toEqual([['emails', false]]);
  });

  it('refuses a create flag that is not true or false', async () => {
    const res = await api.call('POST', '/api/queues/other/pause?create=yes');
    expect(res.status).toBe(400);
    expect((await res.json()).error.field).toBe('create');
  });

  it('creates nothing for many random names, whatever they are', async () => {
    const before = await queueRows();
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/),
        fc.constantFrom('pause', 'resume'),
        async (name, action) => {
          fc.pre(!before.includes(name));
          // `.` and `..` are path segments, not names: the URL resolves to another path.
          fc.pre(name !== '.' && name !== '..');
          const res = await api.call('POST', `/api/queues/${encodeURIComponent(name)}/${action}`);
          expect(res.status).toBe(404);
        },
      ),
      { numRuns: 200 },
    );
    expect(await queueRows()).toEqual(before);
  });
});
