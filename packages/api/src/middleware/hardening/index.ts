export type { PageCspOptions } from './csp.js';
export { API_CSP, cspHash, pageCsp } from './csp.js';
export type { HardeningOptions } from './hardening.js';
export { hardening } from './hardening.js';
