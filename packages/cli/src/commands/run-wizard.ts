import { cancel, confirm, intro, isCancel, log, note, outro, select, text } from '@clack/prompts';
import { type Arity, checkArity, ENQUEUE_LIMITS, paramsFromText } from '@jobs/core';
import { parseResponse } from 'hono/client';
import type { CommandContext } from '../cli/command.js';
import { InterruptedError, OperationError, UsageError } from '../cli/errors.js';
import { bold, dim } from '../cli/output.js';
import { ApiRequestError, connect } from '../remote/connect.js';
import { describeParams, type JsonSchema } from '../remote/json-schema.js';
import {
  alreadyQueued,
  type EnqueueRequest,
  enqueue,
  type RunOptions,
  reportEnqueued,
} from './run.js';

/** What the command line already gave. */
interface Given {
  readonly handler: string | undefined;
  readonly method: string | undefined;
  readonly paramsText: string | undefined;
  readonly options: RunOptions;
}

/** One method as /api/handlers lists it (`arity` is absent from servers before it was added). */
interface MethodEntry {
  readonly name: string;
  readonly hasSchema: boolean;
  readonly paramsSchema: Record<string, unknown> | null;
  readonly arity?: Arity;
}

interface HandlerEntry {
  readonly name: string;
  readonly isolated: boolean;
  readonly methods: readonly MethodEntry[];
}

/** A prompt's answer, or the end of the wizard on Ctrl-C. */
function answered<T>(value: T): Exclude<T, symbol> {
  if (isCancel(value)) {
    cancel('Cancelled: nothing was enqueued.');
    throw new InterruptedError('cancelled');
  }
  return value as Exclude<T, symbol>;
}

/**
 * `jobs run` in a terminal with the handler or method missing: pick a handler and a method from
 * the server's allow-list, type params (checked at once as a JSON array and, for a method
 * without a schema, for the count it takes, with core's own message; a schema is checked by the
 * server, whose message is shown and the params re-asked), set priority, delay and retries,
 * confirm, enqueue.
 */
export async function runWizard(context: CommandContext, given: Given): Promise<number> {
  const remote = await connect(context);
  const io = { input: context.stdin, output: context.stderr };
  const { handlers } = (await remote.call((c) => parseResponse(c.api.handlers.$get()))) as {
    handlers: HandlerEntry[];
  };
  if (handlers.length === 0) throw new OperationError('the server has no handlers registered');
  intro(bold('jobs run'), io);

  const handler =
    given.handler === undefined
      ? await pickHandler(handlers, io)
      : findHandler(handlers, given.handler);
  const method =
    given.method === undefined
      ? answered(
          await select({
            ...io,
            message: `Method of ${handler.name}`,
            options: handler.methods.map((m) => {
              const shape = shapeOf(m);
              return { value: m.name, label: m.name, ...(shape === null ? {} : { hint: shape }) };
            }),
          }),
        )
      : given.method;
  const methodInfo = handler.methods.find((m) => m.name === method);
  if (methodInfo === undefined) {
    throw new UsageError(`"${method}" is not a method of ${handler.name}`, {
      hint: `methods: ${handler.methods.map((m) => m.name).join(', ')}`,
    });
  }
  let params = await askParams(io, methodInfo, given.paramsText);
  const L = ENQUEUE_LIMITS;
  const options: RunOptions = { ...given.options };
  if (options.priority === undefined) {
    options.priority = Number(
      answered(
        await text({
          ...io,
          message: 'Priority (higher runs first)',
          initialValue: '0',
          validate: (v) => integerProblem(v ?? '', L.minPriority, L.maxPriority),
        }),
      ),
    );
  }
  if (options.delay === undefined) {
    options.delay = Number(
      answered(
        await text({
          ...io,
          message: 'Delay in seconds before it may run',
          initialValue: '0',
          validate: (v) => {
            const n = Number(v);
            return v !== undefined &&
              v.trim() !== '' &&
              Number.isFinite(n) &&
              n >= 0 &&
              n <= L.maxDelaySeconds
              ? undefined
              : `a number of seconds from 0 to ${L.maxDelaySeconds}`;
          },
        }),
      ),
    );
  }
  if (options.retries === undefined) {
    const retries = answered(
      await text({
        ...io,
        message: 'Retries after a failure',
        placeholder: "empty: the server's default",
        validate: (v) =>
          v === undefined || v.trim() === '' ? undefined : integerProblem(v, 0, L.maxRetries),
      }),
    );
    if (retries !== undefined && retries.trim() !== '') options.retries = Number(retries);
  }

  for (;;) {
    const request: EnqueueRequest = { handler: handler.name, method, params, ...options };
    note(summary(request), 'Job', io);
    const ok = answered(await confirm({ ...io, message: 'Enqueue this job?' }));
    if (!ok) {
      cancel('Not enqueued.');
      throw new InterruptedError('not confirmed');
    }
    try {
      const job = await enqueue(remote, request);
      outro(job.created ? `Job ${job.id} enqueued` : `Not enqueued: ${alreadyQueued(job)}`, io);
      return reportEnqueued(context, remote, job);
    } catch (error) {
      if (error instanceof ApiRequestError && error.field?.startsWith('params') === true) {
        log.error(error.message, io);
        params = await askParams(io, methodInfo, JSON.stringify(params));
        continue;
      }
      throw error;
    }
  }
}

type Io = { input: NodeJS.ReadStream; output: NodeJS.WriteStream };

async function pickHandler(handlers: readonly HandlerEntry[], io: Io): Promise<HandlerEntry> {
  const name = answered(
    await select({
      ...io,
      message: 'Handler',
      options: handlers.map((h) => ({
        value: h.name,
        label: h.name,
        hint: `${h.methods.length} method${h.methods.length === 1 ? '' : 's'}${h.isolated ? ', isolated' : ''}`,
      })),
    }),
  );
  return findHandler(handlers, name);
}

function findHandler(handlers: readonly HandlerEntry[], name: string): HandlerEntry {
  const found = handlers.find((h) => h.name === name);
  if (found === undefined) {
    throw new UsageError(`handler "${name}" is not registered`, {
      hint: `registered handlers: ${handlers.map((h) => h.name).join(', ')}`,
    });
  }
  return found;
}

/** What a method's params look like, for a prompt: `[email, string]` or `(to, subject?)`. */
function shapeOf(method: MethodEntry): string | null {
  const fromSchema = describeParams(method.paramsSchema as JsonSchema | null);
  if (fromSchema !== null || method.hasSchema) return fromSchema;
  const names = method.arity?.names;
  return names === undefined || names === null ? null : `(${names.join(', ')})`;
}

/** Asks for params until they are a JSON array the method can take. */
async function askParams(
  io: Io,
  method: MethodEntry,
  initial: string | undefined,
): Promise<unknown[]> {
  const shape = shapeOf(method);
  const value = answered(
    await text({
      ...io,
      message: `Params as a JSON array${shape === null ? '' : ` ${dim(shape)}`}`,
      placeholder: '[]',
      ...(initial === undefined ? {} : { initialValue: initial }),
      validate: (v) => paramsProblem(v ?? '', method),
    }),
  );
  return paramsFromText(value);
}

/**
 * Why `text` is not acceptable params for `method`, in core's words (the API's for the same
 * rules), or undefined. A schema is left to the server, which answers in the schema's words.
 */
export function paramsProblem(text: string, method: MethodEntry): string | undefined {
  try {
    const params = paramsFromText(text);
    if (!method.hasSchema && method.arity !== undefined) {
      checkArity({ method: method.name, arity: method.arity }, params);
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function integerProblem(text: string, min: number, max: number): string | undefined {
  const n = Number(text);
  return /^-?\d+$/.test(text.trim()) && n >= min && n <= max
    ? undefined
    : `a whole number from ${min} to ${max}`;
}

function summary(request: EnqueueRequest): string {
  const lines = [
    `${request.handler}.${request.method}(${request.params.map((p) => JSON.stringify(p)).join(', ')})`,
    `priority ${request.priority ?? 0}, delay ${request.delay ?? 0} s, retries ${request.retries ?? 'default'}`,
  ];
  if (request.queue !== undefined) lines.push(`queue ${request.queue}`);
  if (request.timeout !== undefined) lines.push(`timeout ${request.timeout} s`);
  if (request.uniqueKey !== undefined) {
    const window = request.uniqueFor === undefined ? '' : `, for ${request.uniqueFor} s`;
    lines.push(`unique key ${JSON.stringify(request.uniqueKey)}${window}`);
  }
  return lines.join('\n');
}
