export type { ContractContext, ContractStore } from './context.js';
export { describeJobStoreContract } from './job-store.js';
export type { StatsContractStore } from './stats.js';
export { describeJobStatsStoreContract } from './stats.js';
