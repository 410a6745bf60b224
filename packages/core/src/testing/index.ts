export type { ContractStore } from './contract.js';
export { describeJobStoreContract, newJob } from './contract.js';
