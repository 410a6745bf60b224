import { parseResponse } from 'hono/client';
import type { CommandContext } from '../cli/command.js';
import { EXIT } from '../cli/errors.js';
import { green, paintState, printJson, red } from '../cli/output.js';
import { connect } from '../remote/connect.js';
import type { WireJob } from './format.js';

/** Cancels or retries each id; prints a line per job; exit 1 when any could not be changed. */
export async function changeEach(
  context: CommandContext,
  action: 'cancel' | 'retry',
  ids: readonly string[],
): Promise<number> {
  const remote = await connect(context);
  const done: WireJob[] = [];
  const failures: { id: string; message: string }[] = [];
  for (const id of ids) {
    try {
      const answer = await remote.call((c) =>
        parseResponse(
          action === 'cancel'
            ? c.api.jobs[':id'].cancel.$post({ param: { id } })
            : c.api.jobs[':id'].retry.$post({ param: { id } }),
        ),
      );
      done.push(answer.job as WireJob);
    } catch (error) {
      if ((error as { exitCode?: number }).exitCode === EXIT.unreachable) throw error;
      failures.push({ id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  if (context.values.json === true) {
    printJson(context, { changed: done, failed: failures });
  } else {
    const verb = action === 'cancel' ? 'cancelled' : 'queued again';
    for (const job of done) {
      context.stdout.write(`${green('✔')} job ${job.id} ${verb} (${paintState(job.state)})\n`);
    }
    for (const failure of failures) {
      context.stderr.write(`${red('✖')} job ${failure.id}: ${failure.message}\n`);
    }
  }
  return failures.length > 0 ? EXIT.failed : EXIT.ok;
}
