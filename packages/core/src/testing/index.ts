export {
  BaseReport,
  Batch,
  Bus,
  Cache,
  Mailer,
  SalesReport,
} from './allowlist-fixtures.js';
export type { ContractContext, ContractStore, StatsContractStore } from './contract/index.js';
export { describeJobStatsStoreContract, describeJobStoreContract } from './contract/index.js';
export { newJob } from './new-job.js';
export { validationFieldOf } from './validation.js';
