import type { HandlerRegistry, ResolvedMethod } from '@jobs/core';
import { handlers as honest } from './handlers.js';

/** The environment variable choosing a mutant worker's mutation (read by mutants.ts). */
export const MUTANT_ENV = 'CHAOS_MUTANT';

/**
 * How a mutant worker lies: `skip` marks every job completed without calling its handler
 * (nothing is executed); `twice` calls every handler twice in one attempt, with no crash.
 */
export type Mutation = 'skip' | 'twice';

/** Whether `value` names a mutation. */
export function isMutation(value: unknown): value is Mutation {
  return value === 'skip' || value === 'twice';
}

function mutate(method: ResolvedMethod, mutation: Mutation): ResolvedMethod {
  if (mutation === 'skip') return { ...method, call: () => null };
  return {
    ...method,
    call: async (params) => {
      await method.call(params);
      return method.call(params);
    },
  };
}

/** The chaos handlers' allow-list, with every method carrying `mutation`. */
export function mutantRegistry(mutation: Mutation): HandlerRegistry<unknown> {
  return Object.freeze({
    resolve: (handler: string, method: string) => mutate(honest.resolve(handler, method), mutation),
    list: () => honest.list(),
  });
}
