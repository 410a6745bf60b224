import {
  formatRateLimit,
  parseRateLimit,
  QUEUE_LIMIT_BOUNDS,
  type QueueLimitsPatch,
  type RateLimit,
  ValidationError,
} from '@jobs/core';
import { parseResponse } from 'hono/client';
import type { CommandContext } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { green, printJson } from '../cli/output.js';
import { intFlag } from '../cli/parse.js';
import type { Remote } from '../remote/connect.js';

/** A queue's limits as the API sends them. */
export interface WireQueueLimits {
  readonly concurrency: number | null;
  readonly keyConcurrency: number | null;
  readonly rateLimit: RateLimit | null;
}

/** How much of a queue's limits is in use, as the API sends it. */
export interface WireQueueUsage {
  readonly running: number;
  readonly recentStarts: number;
}

/** The word that removes a limit: `--concurrency none`. */
const NONE = 'none';

/** The flags of `jobs queues set` as a patch; only the flags given, `none` removes a limit. */
export function limitsFromFlags(values: CommandContext['values']): QueueLimitsPatch {
  const max = QUEUE_LIMIT_BOUNDS.maxConcurrency;
  const count = (flag: string): number | null | undefined => {
    const value = values[flag];
    if (value === undefined) return undefined;
    if (String(value).trim() === NONE) return null;
    return intFlag(value, flag, 1, max);
  };
  const patch: { -readonly [K in keyof QueueLimitsPatch]: QueueLimitsPatch[K] } = {};
  const concurrency = count('concurrency');
  const keyConcurrency = count('key-concurrency');
  if (concurrency !== undefined) patch.concurrency = concurrency;
  if (keyConcurrency !== undefined) patch.keyConcurrency = keyConcurrency;
  const rate = values.rate;
  if (rate !== undefined) {
    const text = String(rate).trim();
    if (text === NONE) patch.rateLimit = null;
    else {
      try {
        patch.rateLimit = parseRateLimit(text, 'rate');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw new UsageError(`--${error.message}`, { hint: 'e.g. --rate 50/1s, 10/500ms, 100/m' });
      }
    }
  }
  if (Object.keys(patch).length === 0) {
    throw new UsageError('nothing to set', {
      hint: 'give --concurrency, --key-concurrency or --rate (none removes a limit)',
    });
  }
  return patch;
}

/** `jobs queues set <name> ...`: changes a queue's limits through the API. */
export async function setQueueLimits(
  context: CommandContext,
  remote: Remote,
  name: string,
): Promise<number> {
  const limits = limitsFromFlags(context.values);
  const { queue } = await remote.call((c) =>
    parseResponse(c.api.queues[':name'].$patch({ param: { name }, json: limits })),
  );
  if (context.values.json === true) {
    printJson(context, queue);
    return 0;
  }
  context.stdout.write(`${green('✔')} queue ${name}: ${describeLimits(queue.limits)}\n`);
  return 0;
}

/** A queue's limits in words: `concurrency 3, 1 per key, 50/1s`, or `none`. */
export function describeLimits(limits: WireQueueLimits): string {
  const parts: string[] = [];
  if (limits.concurrency !== null) parts.push(`concurrency ${limits.concurrency}`);
  if (limits.keyConcurrency !== null) parts.push(`${limits.keyConcurrency} per key`);
  if (limits.rateLimit !== null) parts.push(`rate ${formatRateLimit(limits.rateLimit)}`);
  return parts.length === 0 ? 'no limits' : parts.join(', ');
}

/** The use of a queue's limits for a table cell: `3/3 running`, `12/50 per 1s`, or `-`. */
export function describeUsage(limits: WireQueueLimits, usage: WireQueueUsage): string {
  const parts: string[] = [];
  if (limits.concurrency !== null) parts.push(`${usage.running}/${limits.concurrency} running`);
  if (limits.rateLimit !== null) {
    const per = formatRateLimit(limits.rateLimit).split('/')[1] ?? '';
    parts.push(`${usage.recentStarts}/${limits.rateLimit.limit} per ${per}`);
  }
  if (limits.keyConcurrency !== null) parts.push(`${limits.keyConcurrency} per key`);
  return parts.length === 0 ? '-' : parts.join(', ');
}
