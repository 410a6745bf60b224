import { describe, expect, it } from 'vitest';
import { jobContext, runWithJobContext } from './context.js';
import { NoJobContextError } from './errors.js';

describe('jobContext', () => {
  it('throws outside a job and follows async calls inside one', async () => {
    expect(() => jobContext()).toThrow(NoJobContextError);
    const context = {
      id: '7',
      attempt: 1,
      queue: 'default',
      handler: 'h',
      method: 'm',
      signal: new AbortController().signal,
      progress: () => {},
      log: () => {},
      parents: async () => [],
    };
    const seen = await runWithJobContext(context, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return jobContext().id;
    });
    expect(seen).toBe('7');
  });
});
