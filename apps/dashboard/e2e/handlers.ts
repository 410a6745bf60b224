import { setTimeout as sleep } from 'node:timers/promises';
import { defineHandlers, handler } from '@jobs/core';
import { jobContext } from '@jobs/worker';
import { z } from 'zod';

/** Keys `demo.flaky` has failed for once (it succeeds on the next attempt). */
const failedOnce = new Set<string>();

/** The handlers the end-to-end tests register: quick, long (cancellable), failing, flaky. */
export const handlers = defineHandlers({
  demo: handler(
    {
      /** Returns at once. */
      quick(name: string) {
        jobContext().log(`greeting ${name}`);
        return { greeting: `hello ${name}` };
      },
      /** Runs for `seconds`, reporting progress and stopping when told to. */
      async slow(seconds: number) {
        const ctx = jobContext();
        const steps = Math.max(1, Math.round(seconds * 10));
        ctx.log(`sleeping ${seconds} s`);
        for (let step = 1; step <= steps; step++) {
          await sleep(100, undefined, { signal: ctx.signal });
          if (step % 5 === 0 || step === steps) ctx.progress(Math.round((step / steps) * 100));
        }
        ctx.log('woke up');
        return { slept: seconds };
      },
      /** Always fails. */
      fail(message: string) {
        throw new Error(`boom: ${message}`);
      },
      /** Fails the first time for a key, then succeeds. */
      flaky(key: string) {
        if (!failedOnce.has(key)) {
          failedOnce.add(key);
          throw new Error(`flaky failure for ${key}`);
        }
        return { key, ok: true };
      },
    },
    {
      schemas: {
        quick: z.tuple([z.string().min(1)]),
        slow: z.tuple([z.number().min(0).max(600)]),
      },
    },
  ),
  reports: handler(
    {
      build(year: number) {
        return { year };
      },
    },
    // The refinement cannot be told in JSON Schema: only the server catches it.
    {
      schemas: {
        build: z.tuple([
          z
            .number()
            .int()
            .refine((y) => y >= 2000, 'must be 2000 or later'),
        ]),
      },
    },
  ),
  // One rule, one message: a schema's own message reaches the form as the API gives it.
  mailer: handler(
    {
      send(to: string, subject: string) {
        return { sent: to, subject };
      },
    },
    { schemas: { send: z.tuple([z.email(), z.string().min(1)]) } },
  ),
  // The seed's class, without a schema: only the count of its params is checked.
  'App\\Services\\SomeClass': {
    someMethod(param1: string, param2: number) {
      return `processed ${param1} × ${param2}`;
    },
  },
});
