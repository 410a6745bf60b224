import { jobContext } from '@jobs/worker';

/** Waits `ms`, or rejects with the signal's reason as soon as the job is cancelled. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', stop);
      resolve();
    }
    function stop() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener('abort', stop, { once: true });
  });
}

/** A long job: reports progress month by month and stops at once when cancelled. */
export const reports = {
  /** Builds a yearly report in `months` steps of `stepMs` each (defaults: 12 steps of 1 s). */
  async build(year: number, months = 12, stepMs = 1000): Promise<{ year: number; rows: number }> {
    const { progress, log, signal } = jobContext();
    let rows = 0;
    for (let month = 1; month <= months; month++) {
      await sleep(stepMs, signal);
      rows += 1000 + month;
      progress({
        percent: Math.round((month / months) * 100),
        message: `month ${month}/${months}`,
      });
      log(`month ${month} of ${year}: ${rows} rows so far`);
    }
    return { year, rows };
  },
};
