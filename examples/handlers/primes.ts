import { jobContext } from '@jobs/worker';

/**
 * CPU-bound work, registered with `isolate`: each job runs in a child process of its own, so it
 * cannot block the worker's event loop, and a cancel or timeout kills the process.
 */
const primes = {
  /** Counts the primes below `limit` by trial division (slow on purpose), with progress. */
  count(limit: number): { limit: number; primes: number } {
    const { progress } = jobContext();
    let found = 0;
    const step = Math.max(1, Math.floor(limit / 20));
    for (let n = 2; n < limit; n++) {
      let prime = true;
      for (let d = 2; d * d <= n; d++) {
        if (n % d === 0) {
          prime = false;
          break;
        }
      }
      if (prime) found++;
      if (n % step === 0)
        progress({ percent: Math.round((n / limit) * 100), message: `${found} so far` });
    }
    return { limit, primes: found };
  },
};

export default primes;
