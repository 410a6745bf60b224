import {
  ENQUEUE_LIMITS,
  JOB_STATES,
  type JobState,
  MAX_UNIQUE_FOR_SECONDS,
  showLogText,
  ValidationError,
  validateConcurrencyKey,
} from '@jobs/core';
import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, type CommandContext, JSON_OPTION } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { dim, green, printJson, shortTime, yellow } from '../cli/output.js';
import { intFlag, listFlag, secondsFlag, stringFlag } from '../cli/parse.js';
import { ApiRequestError, connect, type Remote } from '../remote/connect.js';
import type { WireJob } from './format.js';

/** What `jobs run` enqueues: the API's enqueue body. */
export interface EnqueueRequest {
  handler: string;
  method: string;
  params: unknown[];
  priority?: number;
  delay?: number;
  retries?: number;
  queue?: string;
  timeout?: number;
  uniqueKey?: string;
  uniqueFor?: number;
  uniqueStates?: JobState[];
  concurrencyKey?: string;
  dependsOn?: string[];
  onDependencyFailure?: 'cancel' | 'run';
}

/** Enqueue options from the flags. */
export interface RunOptions {
  priority?: number;
  delay?: number;
  retries?: number;
  queue?: string;
  timeout?: number;
  uniqueKey?: string;
  uniqueFor?: number;
  uniqueStates?: JobState[];
  concurrencyKey?: string;
  dependsOn?: string[];
  onDependencyFailure?: 'cancel' | 'run';
}

/** What the API answers an enqueue: the job, and false when its unique key was already held. */
export type EnqueuedWireJob = WireJob & { readonly created: boolean };

export const runCommand: Command = {
  name: 'run',
  summary: 'enqueue a job (a wizard when arguments are missing in a terminal)',
  usage: 'run <handler> <method> [params-json] [options] | run --file jobs.ndjson',
  description:
    "params-json is a JSON array of the method's arguments (one non-array value is taken as the\n" +
    'only argument; none: no arguments). Prints the job id. In a terminal, leaving out the handler or\n' +
    'the method starts a wizard that lists the registered handlers; without one it is an error (exit 2).\n' +
    'With --wait it follows the job to its end and exits 1 if it failed or was cancelled.\n' +
    'With --unique-key, a job holding the key is answered instead of a new one: "already queued as\n' +
    'job N" (exit 0; --json has "created": false).\n' +
    '--file takes one job per line: {"handler","method","params",...options}; "-" reads stdin.',
  options: {
    priority: { type: 'string', value: 'n', description: 'higher runs first (default 0)' },
    delay: { type: 'string', value: 'seconds', description: 'wait before it may run (default 0)' },
    retries: {
      type: 'string',
      value: 'n',
      description: "tries after a failure (default: the server's, MAX_RETRIES or 3)",
    },
    queue: { type: 'string', value: 'name', description: 'queue to wait in (default "default")' },
    timeout: { type: 'string', value: 'seconds', description: 'time limit of each attempt' },
    'unique-key': {
      type: 'string',
      value: 'key',
      description: 'no second job while one with this key is unfinished',
    },
    'unique-for': {
      type: 'string',
      value: 'seconds',
      description: 'also while a finished one is younger than this (completed, by default)',
    },
    'unique-states': {
      type: 'string',
      value: 'a,b',
      description: 'final states that hold the key too (completed,failed,cancelled)',
    },
    'concurrency-key': {
      type: 'string',
      value: 'key',
      description: "at most the queue's keyConcurrency (default 1) jobs of this key run at once",
    },
    'depends-on': {
      type: 'string',
      value: 'ids',
      description: 'wait for these jobs (comma-separated ids) before running',
    },
    'on-dependency-failure': {
      type: 'string',
      value: 'cancel|run',
      description: 'if a dependency fails or is cancelled (default cancel)',
    },
    wait: { type: 'boolean', short: 'w', description: 'follow the job until it ends' },
    file: {
      type: 'string',
      value: 'path',
      description: 'enqueue every job of an NDJSON file ("-": stdin)',
    },
    ...JSON_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: [
    ['run', 'the wizard: pick a handler and a method, type the params'],
    [`run 'App\\Services\\SomeClass' someMethod '["a", 1]'`, "the original's example"],
    [
      `run 'App\\Services\\SomeClass' someMethod '["a", 1]' --priority 5 --delay 30 --retries 5`,
      'priority 5, in 30 s, up to 6 attempts',
    ],
    ["run reports build '[2025]' --wait", 'enqueue and follow it to the end'],
    [
      "run reports build '[2025]' --unique-key report-2025 --unique-for 3600",
      'at most one such job an hour ("already queued as job N" otherwise)',
    ],
    ['run --file jobs.ndjson', 'bulk enqueue, with a progress bar'],
    ['run reports zip --depends-on 41,42', 'wait for jobs 41 and 42 to complete first'],
  ],
  async run(context) {
    const options = runOptions(context);
    const file = stringFlag(context.values.file);
    if (file !== undefined) {
      if (context.positionals.length > 0) {
        throw new UsageError('give either --file or <handler> <method>, not both');
      }
      const { enqueueFile } = await import('./run-file.js');
      return enqueueFile(context, file, options);
    }
    const [handler, method, paramsText, extra] = context.positionals;
    if (extra !== undefined) {
      throw new UsageError(`unexpected argument "${extra}"`, {
        hint: 'quote the params as one JSON argument: \'["a", 1]\'',
      });
    }
    if (handler === undefined || method === undefined) {
      if (context.stdin.isTTY !== true || context.values.json === true) {
        const missing = handler === undefined ? '<handler>' : '<method>';
        throw new UsageError(`missing argument ${missing}`, {
          hint: 'usage: jobs run <handler> <method> [params-json]; in a terminal, `jobs run` alone starts a wizard',
        });
      }
      const { runWizard } = await import('./run-wizard.js');
      return runWizard(context, { handler, method, paramsText, options });
    }
    const remote = await connect(context);
    const request: EnqueueRequest = {
      handler,
      method,
      params: paramsText === undefined ? [] : parseParams(paramsText),
      ...options,
    };
    const job = await enqueue(remote, request);
    return reportEnqueued(context, remote, job);
  },
};

/** The enqueue options given as flags. */
function runOptions(context: CommandContext): RunOptions {
  const L = ENQUEUE_LIMITS;
  const options: RunOptions = {};
  const priority = intFlag(context.values.priority, 'priority', L.minPriority, L.maxPriority);
  const delay = secondsFlag(context.values.delay, 'delay', L.maxDelaySeconds);
  const retries = intFlag(context.values.retries, 'retries', 0, L.maxRetries);
  const timeout = secondsFlag(context.values.timeout, 'timeout', L.maxTimeoutSeconds, true);
  const queue = stringFlag(context.values.queue);
  if (queue !== undefined && !/^[A-Za-z0-9_.:-]{1,64}$/.test(queue)) {
    throw new UsageError(
      `--queue: "${queue}" is not a queue name (letters, digits, _ . : -; up to 64)`,
    );
  }
  if (priority !== undefined) options.priority = priority;
  if (delay !== undefined) options.delay = delay;
  if (retries !== undefined) options.retries = retries;
  if (timeout !== undefined) options.timeout = timeout;
  if (queue !== undefined) options.queue = queue;
  const concurrencyKey = stringFlag(context.values['concurrency-key']);
  if (concurrencyKey !== undefined) {
    options.concurrencyKey = validateFlag(
      () => validateConcurrencyKey(concurrencyKey),
      'concurrency-key',
    );
  }
  const dependsOn = stringFlag(context.values['depends-on']);
  if (dependsOn !== undefined) {
    const ids = dependsOn.split(',').map((id) => id.trim());
    const bad = ids.find((id) => !/^[1-9]\d{0,18}$/.test(id));
    if (bad !== undefined) throw new UsageError(`--depends-on: "${bad}" is not a job id`);
    options.dependsOn = ids;
  }
  const policy = stringFlag(context.values['on-dependency-failure']);
  if (policy !== undefined) {
    if (policy !== 'cancel' && policy !== 'run') {
      throw new UsageError(`--on-dependency-failure: "${policy}" is not cancel or run`);
    }
    options.onDependencyFailure = policy;
  }
  Object.assign(options, uniqueOptions(context));
  return options;
}

/** `--unique-key`, `--unique-for` and `--unique-states`, checked. */
function uniqueOptions(context: CommandContext): RunOptions {
  const options: RunOptions = {};
  const key = stringFlag(context.values['unique-key']);
  const window = secondsFlag(
    context.values['unique-for'],
    'unique-for',
    MAX_UNIQUE_FOR_SECONDS,
    true,
  );
  const states = listFlag(context.values['unique-states']);
  if (key === undefined && (window !== undefined || states !== undefined)) {
    const flag = window === undefined ? '--unique-states' : '--unique-for';
    throw new UsageError(`${flag} needs --unique-key`);
  }
  for (const state of states ?? []) {
    if (!(JOB_STATES as readonly string[]).includes(state)) {
      throw new UsageError(
        `--unique-states: "${state}" is not a job state (${JOB_STATES.join(', ')})`,
      );
    }
  }
  if (key !== undefined) options.uniqueKey = key;
  if (window !== undefined) options.uniqueFor = window;
  if (states !== undefined) options.uniqueStates = states as JobState[];
  return options;
}

/** Runs a core check on a flag's value; its error becomes a usage error naming the flag. */
function validateFlag<T>(check: () => T, flag: string): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new UsageError(`--${flag}: ${error.message.replace(/^[^:]*: /, '')}`);
  }
}

/** Params from the command line: a JSON array, or one JSON value taken as the only argument. */
export function parseParams(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `params-json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      { hint: 'give the arguments as a JSON array in single quotes, e.g. \'["a@b.c", 2]\'' },
    );
  }
  return Array.isArray(value) ? value : [value];
}

/** POST /api/jobs. A refused handler or method gets a hint naming the registered ones. */
export async function enqueue(remote: Remote, request: EnqueueRequest): Promise<EnqueuedWireJob> {
  try {
    return (await remote.call((c) =>
      parseResponse(c.api.jobs.$post({ json: request })),
    )) as EnqueuedWireJob;
  } catch (error) {
    if (
      error instanceof ApiRequestError &&
      (error.field === 'handler' || error.field === 'method')
    ) {
      const known = await knownNames(
        remote,
        error.field === 'method' ? request.handler : undefined,
      );
      throw new UsageError(error.message, known === null ? {} : { hint: known });
    }
    throw error;
  }
}

async function knownNames(remote: Remote, handler: string | undefined): Promise<string | null> {
  try {
    const { handlers } = await remote.call((c) => parseResponse(c.api.handlers.$get()));
    if (handler === undefined)
      return `registered handlers: ${handlers.map((h) => h.name).join(', ')}`;
    const found = handlers.find((h) => h.name === handler);
    return found === undefined
      ? null
      : `methods of ${handler}: ${found.methods.map((m) => m.name).join(', ')}`;
  } catch {
    return null;
  }
}

/**
 * Prints the new job (id alone when stdout is not a terminal; "already queued as job N" on
 * stderr too when the key was held), then follows it with --wait.
 */
export async function reportEnqueued(
  context: CommandContext,
  remote: Remote,
  job: EnqueuedWireJob,
): Promise<number> {
  if (!job.created && context.values.json !== true) {
    const line = alreadyQueued(job);
    if (context.stdout.isTTY === true) {
      context.stdout.write(`${yellow('●')} ${line}\n${dim(`  follow it: jobs show ${job.id}`)}\n`);
    } else context.stderr.write(`${line}\n`);
  }
  if (context.values.wait !== true) {
    if (context.values.json === true) printJson(context, job);
    else if (!job.created) {
      if (context.stdout.isTTY !== true) context.stdout.write(`${job.id}\n`);
    } else if (context.stdout.isTTY === true) {
      const when = job.state === 'scheduled' ? ` to run at ${shortTime(job.runAt)}` : '';
      context.stdout.write(
        `${green('✔')} job ${job.id} enqueued: ${job.handler}.${job.method} on queue ${job.queue}${when}\n` +
          `${dim(`  follow it: jobs show ${job.id}   cancel it: jobs cancel ${job.id}`)}\n`,
      );
    } else context.stdout.write(`${job.id}\n`);
    return 0;
  }
  if (context.stdout.isTTY !== true && context.values.json !== true) {
    context.stdout.write(`${job.id}\n`);
  }
  const { waitForJob } = await import('./run-wait.js');
  return waitForJob(context, remote, job);
}

/** What `jobs run` says of a job whose unique key was held: "already queued as job N (...)". */
export function alreadyQueued(job: EnqueuedWireJob): string {
  const key = job.uniqueKey === null ? '' : `key "${showLogText(job.uniqueKey)}", `;
  return `already queued as job ${job.id} (${key}${job.state})`;
}
