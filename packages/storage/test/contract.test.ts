import { describeJobStatsStoreContract, describeJobStoreContract } from '@jobs/core/testing';
import { afterAll } from 'vitest';
import { pgContractSetup } from './contract-setup.js';

// TEST_DATABASE_URL: the machine's PostgreSQL (15 here and in CI), or the embedded one.
const { setup, dropSchema } = pgContractSetup('contract', 'default');
afterAll(dropSchema);
describeJobStoreContract('PostgreSQL at TEST_DATABASE_URL', setup);
describeJobStatsStoreContract('PostgreSQL at TEST_DATABASE_URL', setup);
