import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandEnv,
  type Daemon,
  DEMO_CONFIG,
  JOBS_BIN,
  jobs,
  startDaemon,
  trackDaemons,
} from './helpers.js';
import { openTerminal } from './tmux.js';

const SEED = 'App\\Services\\SomeClass';

/** The demo's handlers (`pnpm start`): the seed's SomeClass has no schema, the mailer has one. */
describe('params the method cannot take, from the command line and the wizard', () => {
  trackDaemons();
  let schema: TestSchema;
  let server: Daemon;

  beforeAll(async () => {
    schema = await createTestSchema('cli_params');
    server = await startDaemon(['serve', '--config', DEMO_CONFIG, '--port', '0'], {
      env: commandEnv({ DATABASE_URL: schema.url, JOBS_SCHEMA: schema.schema }),
      timeoutMs: 60_000,
    });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await schema?.drop();
  });

  const cli = (...args: string[]) => jobs(args, { env: commandEnv({ JOBS_URL: server.url }) });
  const stored = async () => {
    const result = await cli('list', '--json');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as unknown[];
  };
  /** What the API itself answers for these params. */
  const apiMessage = async (handler: string, method: string, params: unknown) => {
    const res = await fetch(`${server.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handler, method, params }),
    });
    expect(res.status).toBe(400);
    return ((await res.json()) as { error: { message: string } }).error.message;
  };

  it.each([
    ['["x"]', 'got 1'],
    ['[]', 'got 0'],
    ['["x", 1, 2]', 'got 3'],
    // One value that is not an array is taken as the single argument.
    ['{"a":1}', 'got 1'],
  ])(
    'refuses params %s for someMethod (%s) with exit 2, in the API’s words',
    async (params, got) => {
      const message = `params: someMethod takes 2 arguments (param1, param2); ${got}`;
      const result = await cli('run', SEED, 'someMethod', params);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
      expect(await stored()).toEqual([]);
    },
  );

  it('gives the message the API gives for the same rule', async () => {
    const result = await cli('run', SEED, 'someMethod', '["x"]');
    expect(result.stderr).toContain(await apiMessage(SEED, 'someMethod', ['x']));
    const email = await cli('run', 'mailer', 'send', '["not an address", "Hi"]');
    expect(email.code).toBe(2);
    expect(email.stderr).toContain('params.0: Invalid email address');
    expect(email.stderr).toContain(await apiMessage('mailer', 'send', ['not an address', 'Hi']));
  });

  it('the wizard re-asks at once a count the method cannot take, with the same message', async () => {
    const message = await apiMessage(SEED, 'someMethod', ['x']);
    await using term = openTerminal(`${process.execPath} ${JOBS_BIN} run '${SEED}'`, {
      JOBS_URL: server.url,
      NO_COLOR: '1',
    });
    await term.waitFor(
      /Method of App\\Services\\SomeClass[\s\S]*someMethod \(\(param1, param2\)\)/,
    );
    term.press('Enter');
    await term.waitFor(/Params as a JSON array \(param1, param2\)/);
    term.type('["x"]');
    term.press('Enter');
    const screen = await term.waitFor(/got 1/);
    expect(screen).toContain(message);
    term.press('C-u');
    term.type('["x", 2]');
    term.press('Enter');
    await term.waitFor(/Priority/);
    term.press('C-c');
    expect(await term.waitFor(/EXIT:\d+/)).toContain('EXIT:130');
    expect(await stored()).toEqual([]);
  });
});
