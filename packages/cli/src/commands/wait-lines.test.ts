import { describe, expect, it } from 'vitest';
import { wireJob } from '../testing/wire-job.js';
import type { WireJob } from './format.js';
import { NOTHING_TOLD, type Told, waitLines } from './wait-lines.js';

/** 4:13:21 PM local time, the day the tests pretend it is. */
const NOW = new Date(2026, 0, 2, 16, 13, 21);
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();

/** A job waited on: queued at NOW with 3 attempts unless `overrides` say otherwise. */
function job(overrides: Partial<WireJob>): WireJob {
  return wireJob({
    params: [],
    state: 'queued',
    attempt: 0,
    maxAttempts: 3,
    runAt: at(0),
    createdAt: at(0),
    ...overrides,
  });
}

const failure = (attempt: number, message: string) => ({
  attempt,
  message,
  name: 'Error',
  at: at(0),
});

/** Feeds the polls in order; returns every line printed. */
function follow(polls: readonly WireJob[]): string[] {
  let told: Told = NOTHING_TOLD;
  const printed: string[] = [];
  for (const poll of polls) {
    const next = waitLines(poll, told, NOW);
    told = next.told;
    printed.push(...next.lines.map((line) => line.text));
  }
  return printed;
}

describe('waitLines', () => {
  it('tells every step of a job it saw in every state', () => {
    const errors = [failure(1, 'boom')];
    expect(
      follow([
        job({}),
        job({ state: 'running', attempt: 1 }),
        job({ state: 'retrying', attempt: 1, errors, runAt: at(2) }),
        job({ state: 'running', attempt: 2, errors, runAt: at(2), progress: 50 }),
        job({ state: 'completed', attempt: 2, errors, runAt: at(2) }),
      ]),
    ).toEqual([
      'job 7 mailer.send queued, waiting for a worker',
      'job 7 mailer.send running (attempt 1/3)',
      'job 7 mailer.send failed attempt 1/3 (boom); retrying at 16:13:23',
      'job 7 mailer.send running (attempt 2/3) 50%',
    ]);
  });

  it('catches up on attempts that began and ended between two polls', () => {
    const errors = [failure(1, 'boom')];
    expect(
      follow([job({}), job({ state: 'completed', attempt: 2, errors, runAt: at(1) })]),
    ).toEqual([
      'job 7 mailer.send queued, waiting for a worker',
      'job 7 mailer.send running (attempt 1/3)',
      'job 7 mailer.send failed attempt 1/3 (boom); retrying at 16:13:22',
      'job 7 mailer.send running (attempt 2/3)',
    ]);
  });

  it('says "retried" for an earlier retry whose time the job no longer holds', () => {
    const errors = [failure(1, 'one'), failure(2, 'two')];
    expect(follow([job({}), job({ state: 'running', attempt: 3, errors, runAt: at(4) })])).toEqual([
      'job 7 mailer.send queued, waiting for a worker',
      'job 7 mailer.send running (attempt 1/3)',
      'job 7 mailer.send failed attempt 1/3 (one); retried',
      'job 7 mailer.send running (attempt 2/3)',
      'job 7 mailer.send failed attempt 2/3 (two); retrying at 16:13:25',
      'job 7 mailer.send running (attempt 3/3)',
    ]);
  });

  it('keeps one step per attempt, so progress replaces the line in a terminal', () => {
    const first = waitLines(job({ state: 'running', attempt: 1, progress: 10 }), NOTHING_TOLD, NOW);
    const again = waitLines(job({ state: 'running', attempt: 1, progress: 60 }), first.told, NOW);
    expect(first.lines.map((line) => line.step)).toEqual(['attempt 1']);
    expect(again.lines).toEqual([
      { step: 'attempt 1', text: 'job 7 mailer.send running (attempt 1/3) 60%', failure: false },
    ]);
  });

  it('prints 24-hour times with seconds and escapes control characters of a message', () => {
    const lines = follow([
      job({ state: 'scheduled', runAt: at(3600) }),
      job({ state: 'retrying', attempt: 1, errors: [failure(1, 'x\x1b[2J\u202Ey')] }),
    ]);
    expect(lines).toEqual([
      'job 7 mailer.send scheduled for 17:13:21',
      'job 7 mailer.send running (attempt 1/3)',
      'job 7 mailer.send failed attempt 1/3 (x\\u001b[2J\\u202ey); retrying at 16:13:21',
    ]);
  });
});
