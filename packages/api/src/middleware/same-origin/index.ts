export type { SameOriginOptions } from './same-origin.js';
export { isSameOrigin, normalizeOrigin, originRuleProblem, sameOrigin } from './same-origin.js';
