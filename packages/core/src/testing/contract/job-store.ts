import { afterEach, beforeEach, describe } from 'vitest';
import type { JobStore } from '../../store.js';
import { describeBoundsContract } from './bounds.js';
import { describeClaimContract } from './claims.js';
import type { ContractContext, ContractStore } from './context.js';
import { describeEventContract } from './events.js';
import { describeFlowContract } from './flows.js';
import { describeInsertContract } from './insert.js';
import { describeLeaseContract } from './leases.js';
import { describeListContract } from './list.js';
import { describeManageContract } from './manage.js';
import { describeOutcomeContract } from './outcomes.js';
import { describeProgressContract } from './progress.js';
import { describeUniqueContract } from './unique.js';

/** The areas of the JobStore contract, in the order they run. */
const AREAS: readonly ((t: ContractContext) => void)[] = [
  describeInsertContract,
  describeClaimContract,
  describeOutcomeContract,
  describeLeaseContract,
  describeManageContract,
  describeEventContract,
  describeProgressContract,
  describeBoundsContract,
  describeListContract,
  describeUniqueContract,
  describeFlowContract,
];

/**
 * The JobStore contract: every adapter runs this suite, every area of it. `setup` is called
 * before each test and must hand out an empty store.
 */
export function describeJobStoreContract(name: string, setup: () => Promise<ContractStore>): void {
  describe(`JobStore contract: ${name}`, () => {
    let ctx: ContractStore | undefined;
    const current = (): ContractStore => {
      if (ctx === undefined) throw new Error('the contract setup has not run');
      return ctx;
    };
    const store = (): JobStore => current().store;
    const worker = 'worker-a';
    const t: ContractContext = {
      store,
      openAnother: () => current().openAnother(),
      worker,
      claimAll: (limit = 100, workerId = worker, leaseMs = 30_000) =>
        store().jobClaim({ workerId, queues: null, limit, leaseMs }),
    };

    beforeEach(async () => {
      ctx = await setup();
    });
    afterEach(async () => {
      await ctx?.cleanup();
      ctx = undefined;
    });

    for (const area of AREAS) area(t);
  });
}
