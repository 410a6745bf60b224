export type { AllowedHostOptions, ParsedHost } from './allowed-host.js';
export { allowedHost, hostRuleProblem, isHostAllowed, parseHost } from './allowed-host.js';
