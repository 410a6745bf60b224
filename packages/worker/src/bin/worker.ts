#!/usr/bin/env node
// `jobs-worker`: runs one worker daemon as a process (see `jobs-worker --help`-style usage in
// process.ts). Prints a JSON "ready" line on stdout once it is claiming.
import { parseWorkerArgs, runWorkerProcess } from '../process.js';

try {
  await runWorkerProcess(parseWorkerArgs(process.argv.slice(2), process.env));
} catch (error) {
  process.stderr.write(`jobs-worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
