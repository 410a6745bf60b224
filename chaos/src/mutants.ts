// The registry module of mutant workers: the real worker daemon, started with
// `--handlers dist/mutants.js` and CHAOS_MUTANT=skip|twice, behaves as a lying worker would
// (see mutant-registry.ts). The suite's own tests run it to prove the execution invariant
// catches the lie.
import { isMutation, MUTANT_ENV, mutantRegistry } from './mutant-registry.js';

const mutation = process.env[MUTANT_ENV];
if (!isMutation(mutation)) {
  throw new Error(`${MUTANT_ENV} must be skip or twice, not ${JSON.stringify(mutation)}`);
}

/** The mutant registry the worker loads. */
export const handlers = mutantRegistry(mutation);
