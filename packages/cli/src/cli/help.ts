import type { Command } from './command.js';
import { bold, dim } from './output.js';

/** `jobs <command> --help`. */
export function commandHelp(command: Command): string {
  const lines = [`${bold('Usage:')} jobs ${command.usage}`, '', command.summary];
  if (command.description !== undefined) lines.push('', command.description);
  const options = Object.entries(command.options).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    const value = spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : '';
    return [`${short}--${name}${value}`, spec.description] as const;
  });
  options.push(['-h, --help', 'show this help']);
  const width = Math.max(...options.map(([flag]) => flag.length));
  lines.push('', bold('Options:'));
  for (const [flag, description] of options) lines.push(`  ${flag.padEnd(width)}  ${description}`);
  if (command.examples.length > 0) {
    lines.push('', bold('Examples:'));
    for (const [example, what] of command.examples) {
      lines.push(`  ${dim(`# ${what}`)}`, `  jobs ${example}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `jobs --help`. */
export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `${bold('jobs')} ${version}: background jobs on PostgreSQL

${bold('Usage:')} jobs <command> [options]

${bold('Commands:')}
${list.join('\n')}

Run \`jobs <command> --help\` for its options and examples.
Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 server unreachable, 130 cancelled.

${bold('Environment')} (wins over jobs.config.ts):
  DATABASE_URL, JOBS_SCHEMA          the database (default: the embedded one in ./.jobs)
  MAX_RETRIES                        retries of a job enqueued without --retries (default 3)
  BACKGROUND_JOB_LOG_DIRECTORY       the job log (default logs/background_jobs.log)
  BACKGROUND_JOB_ERROR_LOG_DIRECTORY the error log (default logs/background_jobs_error.log)
  PORT                               the API's port (default 3000)
  JOBS_URL                           where commands find the API (--url wins;
                                     default http://127.0.0.1:$PORT)
  JOBS_API_TOKEN                     the API's bearer token, at least 32 characters: the server
                                     needs one to listen beyond 127.0.0.1; commands send it
  JOBS_ALLOWED_HOSTS                 host names the server answers besides loopback, comma-
                                     separated (\`*\`: any); other Host headers get 421
  JOBS_ALLOWED_ORIGINS               other sites whose pages may change jobs, comma-separated
                                     (https://admin.example.com); others get 403
`;
}
