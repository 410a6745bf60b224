import { describe, expect, it } from 'vitest';
import { wireJob } from '../testing/wire-job.js';
import { jobDetails, jobsTable } from './format.js';

describe('jobs show and list', () => {
  it('shows params that are not an array (an old hand-written row) as stored', () => {
    const job = wireJob({ params: { to: 'a@b.c' } });
    expect(jobDetails(job)).toContain('{"to":"a@b.c"}');
    expect(jobsTable([job])).toContain('{"to":"a@b.c"}');
  });

  it('says nothing of dropped errors when none were dropped', () => {
    const error = { attempt: 1, message: 'boom', name: 'Error', at: 'x' };
    expect(jobDetails(wireJob({ errors: [error] }))).not.toMatch(/not kept/);
  });

  it('names the trace of a traced job, and says nothing of it otherwise', () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    expect(jobDetails(wireJob({ traceId }))).toMatch(new RegExp(`trace\\s+${traceId}`));
    expect(jobDetails(wireJob({ traceId: null }))).not.toMatch(/trace/);
    expect(jobDetails(wireJob({}))).not.toMatch(/trace/);
  });
});
