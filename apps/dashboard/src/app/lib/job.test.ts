import { describe, expect, it } from 'vitest';
import type { Job } from '../api/types.js';
import { wireJob } from '../testing/fake-api.js';
import {
  canCancel,
  canDelete,
  canRetry,
  jobDurationMs,
  jobTimeline,
  progressPercent,
} from './job.js';

const job = (overrides: Record<string, unknown>) => wireJob(overrides) as Job;

describe('what can be done to a job', () => {
  it('follows the API rules by state', () => {
    expect(
      ['scheduled', 'queued', 'running', 'retrying'].every((s) => canCancel(s as Job['state'])),
    ).toBe(true);
    expect(canCancel('completed')).toBe(false);
    expect(canRetry('failed') && canRetry('cancelled') && !canRetry('running')).toBe(true);
    expect(canDelete('running')).toBe(false);
    expect(canDelete('completed')).toBe(true);
  });
});

describe('progressPercent', () => {
  it('reads numbers and the usual object shapes', () => {
    expect(progressPercent(42)).toBe(42);
    expect(progressPercent(140)).toBe(100);
    expect(progressPercent({ percent: 30 })).toBe(30);
    expect(progressPercent({ done: 1, total: 4 })).toBe(25);
    expect(progressPercent({ stage: 'upload' })).toBeNull();
    expect(progressPercent(null)).toBeNull();
  });
});

describe('jobDurationMs', () => {
  const now = new Date('2026-01-01T12:00:10Z');
  it('measures a finished attempt, a running one, or nothing', () => {
    expect(
      jobDurationMs(
        job({
          startedAt: '2026-01-01T12:00:00Z',
          finishedAt: '2026-01-01T12:00:02.5Z',
          state: 'completed',
        }),
        now,
      ),
    ).toBe(2500);
    expect(jobDurationMs(job({ startedAt: '2026-01-01T12:00:04Z', state: 'running' }), now)).toBe(
      6000,
    );
    expect(jobDurationMs(job({}), now)).toBeNull();
  });
});

describe('jobTimeline', () => {
  it('lists creation, failed attempts with their errors, the last start and the end, in order', () => {
    const timeline = jobTimeline(
      job({
        state: 'completed',
        attempt: 2,
        createdAt: '2026-01-01T12:00:00Z',
        runAt: '2026-01-01T12:00:05Z',
        startedAt: '2026-01-01T12:00:05Z',
        finishedAt: '2026-01-01T12:00:06Z',
        errors: [
          {
            attempt: 1,
            message: 'boom',
            name: 'Error',
            stack: 'Error: boom\n  at x',
            at: '2026-01-01T12:00:01Z',
            workerId: 'w1',
          },
        ],
      }),
    );
    expect(timeline.map((e) => e.title)).toEqual([
      'Created',
      'Attempt 1 failed',
      'Attempt 2 started',
      'Completed',
    ]);
    expect(timeline[1]).toMatchObject({
      worker: 'w1',
      error: { message: 'boom', stack: 'Error: boom\n  at x' },
    });
  });

  it('shows when a delayed job is scheduled to run, and the next attempt of a retrying one', () => {
    const scheduled = jobTimeline(job({ state: 'scheduled', runAt: '2026-01-01T13:00:00Z' }));
    expect(scheduled.map((e) => e.title)).toEqual(['Created', 'Scheduled to run']);
    const retrying = jobTimeline(
      job({
        state: 'retrying',
        attempt: 1,
        runAt: '2026-01-01T12:01:00Z',
        startedAt: '2026-01-01T12:00:00Z',
        errors: [{ attempt: 1, message: 'x', name: 'Error', at: '2026-01-01T12:00:01Z' }],
      }),
    );
    expect(retrying.map((e) => e.title)).toEqual(['Created', 'Attempt 1 failed', 'Next attempt']);
  });

  it('says how many attempt errors were not kept, between the first and the last kept', () => {
    const kept = [1, 2, 3, 4, 5, ...Array.from({ length: 20 }, (_, i) => 41 + i)];
    const timeline = jobTimeline(
      job({
        state: 'failed',
        attempt: 60,
        maxAttempts: 60,
        createdAt: '2026-01-01T12:00:00Z',
        finishedAt: '2026-01-01T13:00:00Z',
        errorsDropped: 35,
        errors: kept.map((attempt) => ({
          attempt,
          message: 'x',
          name: 'Error',
          at: new Date(Date.UTC(2026, 0, 1, 12, attempt)).toISOString(),
        })),
      }),
    );
    const titles = timeline.map((e) => e.title);
    expect(titles.slice(5, 8)).toEqual([
      'Attempt 5 failed',
      '35 earlier errors not kept (a job keeps its first 5 and last 20)',
      'Attempt 41 failed',
    ]);
    expect(titles.filter((t) => t.includes('not kept'))).toHaveLength(1);
  });
});
