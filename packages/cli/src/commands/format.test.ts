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
});
