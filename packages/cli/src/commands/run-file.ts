import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { progress } from '@clack/prompts';
import { parseResponse } from 'hono/client';
import type { CommandContext } from '../cli/command.js';
import { CliError, UsageError } from '../cli/errors.js';
import { green, printJson } from '../cli/output.js';
import { isPlainObject } from '../config/util.js';
import { ApiRequestError, connect } from '../remote/connect.js';
import type { EnqueueRequest, RunOptions } from './run.js';

/** Jobs per request (the API takes up to 1,000). */
const BATCH = 250;

interface Line {
  readonly number: number;
  readonly job: EnqueueRequest;
}

/**
 * `jobs run --file`: one job per line of NDJSON (`-` reads stdin), enqueued in batches with a
 * progress bar; the flags fill what a line leaves out. Each batch is all or nothing; an error
 * names the line.
 */
export async function enqueueFile(
  context: CommandContext,
  path: string,
  defaults: RunOptions,
): Promise<number> {
  const text =
    path === '-' ? await readStdin(context.stdin) : await readText(resolve(context.cwd, path));
  const lines = parseLines(text, path, defaults);
  if (lines.length === 0) throw new UsageError(`${path} holds no jobs`);
  const remote = await connect(context);
  const bar =
    context.stderr.isTTY === true
      ? progress({ output: context.stderr, max: lines.length, style: 'heavy' })
      : null;
  bar?.start(`enqueuing ${lines.length} jobs`);
  const ids: string[] = [];
  let deduplicated = 0;
  try {
    for (let start = 0; start < lines.length; start += BATCH) {
      const batch = lines.slice(start, start + BATCH);
      try {
        const answer = await remote.call((c) =>
          parseResponse(c.api.jobs.batch.$post({ json: { jobs: batch.map((l) => l.job) } })),
        );
        ids.push(...answer.jobs.map((job) => job.id));
        deduplicated += answer.deduplicated;
      } catch (error) {
        throw lineError(error, batch, ids.length);
      }
      bar?.advance(batch.length, `${ids.length} of ${lines.length} enqueued`);
    }
  } catch (error) {
    bar?.error(`stopped after ${ids.length} of ${lines.length} jobs`);
    throw error;
  }
  const created = ids.length - deduplicated;
  const held = deduplicated === 0 ? '' : `, ${deduplicated} already queued (unique key held)`;
  bar?.stop(`${created} jobs enqueued${held}`);
  if (context.values.json === true) {
    printJson(context, { enqueued: ids.length, created, deduplicated, ids });
  } else if (context.stdout.isTTY === true) {
    context.stdout.write(
      `${green('✔')} ${created} jobs enqueued${held} (ids ${ids[0]}…${ids.at(-1)})\n`,
    );
  } else {
    context.stdout.write(ids.map((id) => `${id}\n`).join(''));
    if (deduplicated > 0)
      context.stderr.write(`${deduplicated} already queued (unique key held)\n`);
  }
  if (context.values.wait === true) {
    context.stderr.write('--wait follows a single job; use `jobs list` to watch these\n');
  }
  return 0;
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

export async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parseLines(text: string, path: string, defaults: RunOptions): Line[] {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const number = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(`${path}:${number}: not valid JSON (${(error as Error).message})`, {
        hint: 'each line is one job: {"handler": "...", "method": "...", "params": [...]}',
      });
    }
    if (
      !isPlainObject(value) ||
      typeof value.handler !== 'string' ||
      typeof value.method !== 'string'
    ) {
      throw new UsageError(`${path}:${number}: a job needs "handler" and "method" strings`, {
        hint: 'each line is one job: {"handler": "...", "method": "...", "params": [...]}',
      });
    }
    lines.push({ number, job: { ...defaults, ...value } as EnqueueRequest });
  });
  return lines;
}

/** An error of a batch, pointing at the line of `jobs.N` when the API named one. */
function lineError(error: unknown, batch: readonly Line[], done: number): unknown {
  if (!(error instanceof ApiRequestError)) return error;
  const match = /^jobs\.(\d+)\.?(.*)$/.exec(error.field ?? '');
  const line = match === null ? undefined : batch[Number(match[1])];
  const where = line === undefined ? '' : `line ${line.number}: `;
  const message = error.message.replace(/^jobs\.\d+\./, '');
  return new CliError(`${where}${message}`, error.exitCode, {
    hint: done === 0 ? 'nothing was enqueued' : `${done} jobs before this batch were enqueued`,
  });
}
