import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/main.js';
import { commandEnv, jobs } from './helpers.js';

/** Placeholders of the flags that take a number. */
const NUMERIC = new Set(['n', 'seconds', 'minutes']);

/** Every numeric flag of every command, as `[command words, flag]`. */
const numericFlags = COMMANDS.flatMap((command) =>
  Object.entries(command.options)
    .filter(([, spec]) => spec.type === 'string' && NUMERIC.has(spec.value ?? ''))
    .map(([flag]) => [command.name, flag] as const),
);

/** No server listens there: a flag that passed its check would end in exit 3, not 2. */
const env = commandEnv({ JOBS_URL: 'http://127.0.0.1:9' });

describe('numeric flags with a negative value', () => {
  it('finds the numeric flags of every command', () => {
    expect(numericFlags.map(([command, flag]) => `${command} --${flag}`).sort()).toEqual([
      'list --limit',
      'logs --lines',
      'run --delay',
      'run --priority',
      'run --retries',
      'run --timeout',
      'run --unique-for',
      'serve --port',
      'start --concurrency',
      'start --port',
      'stats --window',
      'worker --concurrency',
      'worker --metrics-port',
    ]);
  });

  it('jobs run --delay -5 and --retries -1 give the range error of --delay=-5', async () => {
    const run = ['run', 'math', 'add', '[1, 2]'];
    const [spaced, joined, retries] = await Promise.all([
      jobs([...run, '--delay', '-5'], { env }),
      jobs([...run, '--delay=-5'], { env }),
      jobs([...run, '--retries', '-1'], { env }),
    ]);
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toMatch(
      /error: --delay must be a number of seconds from 0 up to \d+, not "-5"/,
    );
    expect(spaced.stderr).toBe(joined.stderr);
    expect(retries.code).toBe(2);
    expect(retries.stderr).toMatch(
      /error: --retries must be a whole number from 0 to \d+, not "-1"/,
    );
  });

  it('every numeric flag answers `--flag -N` as it answers `--flag=-N`', async () => {
    const value = '-99999999999';
    // One flag at a time: two dozen processes at once starve a busy 2-core machine.
    for (const [command, flag] of numericFlags) {
      const name = `${command} --${flag}`;
      const args = command === 'run' ? ['run', 'math', 'add'] : command.split(' ');
      const [spaced, joined] = await Promise.all([
        jobs([...args, `--${flag}`, value], { env, timeoutMs: 60_000 }),
        jobs([...args, `--${flag}=${value}`], { env, timeoutMs: 60_000 }),
      ]);
      expect(spaced.stderr, name).not.toMatch(/ambiguous/);
      expect(spaced.code, name).toBe(2);
      expect(spaced.stderr, name).toMatch(
        new RegExp(`error: --${flag} must be [^\\n]*, not "${value}"`),
      );
      expect(spaced.stderr, name).toBe(joined.stderr);
      expect(joined.code, name).toBe(2);
    }
  }, 300_000);

  it('leaves a negative value alone after `--`', async () => {
    const result = await jobs(['list', '--', '--limit', '-5'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unexpected argument "--limit"/);
  });
});
