import { describe, expect, it } from 'vitest';
import { matchRoute } from './router.js';

describe('matchRoute', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'overview' });
    expect(matchRoute('/jobs')).toEqual({ page: 'jobs' });
    expect(matchRoute('/jobs/')).toEqual({ page: 'jobs' });
    expect(matchRoute('/jobs/new')).toEqual({ page: 'new' });
    expect(matchRoute('/jobs/42')).toEqual({ page: 'job', id: '42' });
    expect(matchRoute('/logs')).toEqual({ page: 'logs', which: 'jobs' });
    expect(matchRoute('/logs/errors')).toEqual({ page: 'logs', which: 'errors' });
    expect(matchRoute('/schedules')).toEqual({ page: 'schedules' });
  });

  it('refuses ids the API would refuse, and unknown paths', () => {
    expect(matchRoute('/jobs/0')).toEqual({ page: 'not-found' });
    expect(matchRoute('/jobs/abc')).toEqual({ page: 'not-found' });
    expect(matchRoute('/nowhere')).toEqual({ page: 'not-found' });
  });
});
