import { jobContext } from '@jobs/worker';

/** The original's example, under its original name: `App\Services\SomeClass::someMethod`. */
export class SomeClass {
  /** Does a little work with two parameters and says what it did. */
  async someMethod(param1: string, param2: number): Promise<string> {
    const { log, signal } = jobContext();
    log(`someMethod called with ${JSON.stringify(param1)} and ${param2}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    signal.throwIfAborted();
    return `processed ${param1} × ${param2}`;
  }
}
