import { describeJobStatsStoreContract, describeJobStoreContract } from '@jobs/core/testing';
import { afterAll } from 'vitest';
import { pgContractSetup } from './contract-setup.js';

// The embedded PostgreSQL 18 that `jobs start` uses when no DATABASE_URL is set.
const { setup, dropSchema } = pgContractSetup('contract_embedded', 'embedded');
afterAll(dropSchema);
describeJobStoreContract('embedded PostgreSQL 18', setup);
describeJobStatsStoreContract('embedded PostgreSQL 18', setup);
