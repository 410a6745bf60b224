/**
 * axe-core in the test browser: runs the accessibility rules on the page as it is and fails on
 * any serious or critical violation, naming the rule, the elements and what is wrong with them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue } from 'axe-core';
import type { Page } from 'playwright-core';

/** axe-core's browser build, read once. */
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** The impacts that fail a test unless told otherwise. */
const SERIOUS: readonly ImpactValue[] = ['serious', 'critical'];

/** Every impact, for a page that must be clean of all of them. */
export const ALL_IMPACTS: readonly ImpactValue[] = ['minor', 'moderate', 'serious', 'critical'];

/** One violation as a readable paragraph: rule, impact, help, then each element and why. */
function describeViolation(violation: AxeResults['violations'][number]): string {
  const nodes = violation.nodes
    .slice(0, 5)
    .map(
      (node) =>
        `    ${node.target.join(' ')}: ${node.failureSummary?.replace(/\n\s*/g, ' ') ?? ''}`,
    );
  const more = violation.nodes.length > 5 ? [`    … and ${violation.nodes.length - 5} more`] : [];
  return [`  ${violation.id} (${violation.impact}): ${violation.help}`, ...nodes, ...more].join(
    '\n',
  );
}

/**
 * Runs axe-core on the page (injected through the DevTools protocol, which the page's CSP does
 * not govern) and throws if it finds violations of the given impacts (serious or critical by
 * default). `where` names the page in the error.
 */
export async function expectAccessible(
  page: Page,
  where: string,
  { impacts = SERIOUS }: { impacts?: readonly ImpactValue[] } = {},
): Promise<void> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run(): Promise<AxeResults> } };
    return axe.run();
  });
  const failing = results.violations.filter(
    (v) => v.impact !== undefined && v.impact !== null && impacts.includes(v.impact),
  );
  if (failing.length > 0) {
    throw new Error(
      `axe found ${failing.length} violation(s) of impact ${impacts.join(' or ')} on ${where}:\n${failing.map(describeViolation).join('\n')}`,
    );
  }
}
