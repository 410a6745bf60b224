export type { ContractStore, StatsContractStore } from './contract.js';
export {
  describeJobStatsStoreContract,
  describeJobStoreContract,
  newJob,
} from './contract.js';
