#!/usr/bin/env node
// The `jobs` command. See `jobs --help`.
import { main } from '../cli/main.js';

const code = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
// Daemons and streams may hold the event loop; the command is done.
process.stdout.write('', () => process.exit(code));
