import { describe, expect, it } from 'vitest';
import { type CapacityInput, planClaims } from './capacity.js';

const base: CapacityInput = {
  concurrency: 10,
  batchSize: 4,
  running: 0,
  runningByQueue: new Map(),
  queues: null,
  queueConcurrency: {},
  knownQueues: [],
  rotation: 0,
};

describe('planClaims', () => {
  it('claims up to the free slots, one batch at most, from the served queues', () => {
    expect(planClaims(base)).toEqual([{ queues: null, limit: 4 }]);
    expect(planClaims({ ...base, running: 8 })).toEqual([{ queues: null, limit: 2 }]);
    expect(planClaims({ ...base, queues: ['a'] })).toEqual([{ queues: ['a'], limit: 4 }]);
  });

  it('plans nothing when every slot is taken', () => {
    expect(planClaims({ ...base, running: 10 })).toEqual([]);
  });

  it('claims limited queues on their own, within their limits and the total', () => {
    const plan = planClaims({
      ...base,
      batchSize: 10,
      running: 3,
      runningByQueue: new Map([
        ['slow', 1],
        ['fast', 2],
      ]),
      queueConcurrency: { slow: 2 },
      knownQueues: ['fast', 'other', 'slow'],
    });
    expect(plan).toEqual([{ queues: ['fast', 'other'], limit: 7 }]);
    const rotated = planClaims({
      ...base,
      batchSize: 10,
      running: 3,
      runningByQueue: new Map([['fast', 3]]),
      queueConcurrency: { slow: 2 },
      knownQueues: ['fast', 'slow'],
      rotation: 1,
    });
    expect(rotated).toEqual([
      { queues: ['slow'], limit: 2 },
      { queues: ['fast'], limit: 5 },
    ]);
  });

  it('leaves out a limited queue that is full, and queues not served', () => {
    const plan = planClaims({
      ...base,
      running: 2,
      runningByQueue: new Map([['slow', 2]]),
      queues: ['slow', 'fast'],
      queueConcurrency: { slow: 2, elsewhere: 1 },
    });
    expect(plan).toEqual([{ queues: ['fast'], limit: 4 }]);
  });
});
