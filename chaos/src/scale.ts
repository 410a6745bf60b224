/** How big the scenarios run: `full` (pnpm test:chaos) or `ci` (the bounded run in .ci/run). */
export type Scale = 'full' | 'ci';

/** The scale from CHAOS_SCALE (default full). */
export const SCALE: Scale = process.env.CHAOS_SCALE === 'ci' ? 'ci' : 'full';

/** Picks the figure for the current scale. */
export function scaled<T>(full: T, ci: T): T {
  return SCALE === 'full' ? full : ci;
}

/** Prints one figure of a scenario, in a form easy to grep out of the run's output. */
export function figure(scenario: string, text: string): void {
  process.stdout.write(`[chaos:${scenario}] ${text}\n`);
}
