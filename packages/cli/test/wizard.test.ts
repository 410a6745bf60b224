import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandEnv,
  type Daemon,
  FIXTURE_CONFIG,
  JOBS_BIN,
  jobs,
  startDaemon,
  trackDaemons,
} from './helpers.js';
import { openTerminal } from './tmux.js';

/** The server of this file requires a token; commands read it from JOBS_API_TOKEN. */
const TOKEN = 'wizard-secret-0123456789abcdef0123';

describe('the jobs run wizard, in a terminal (tmux)', () => {
  trackDaemons();
  let schema: TestSchema;
  let server: Daemon;

  beforeAll(async () => {
    schema = await createTestSchema('cli_wizard');
    server = await startDaemon(['serve', '--config', FIXTURE_CONFIG, '--port', '0'], {
      env: commandEnv({
        DATABASE_URL: schema.url,
        JOBS_SCHEMA: schema.schema,
        JOBS_API_TOKEN: TOKEN,
      }),
    });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await schema?.drop();
  });

  const wizard = (args = '') =>
    openTerminal(`${process.execPath} ${JOBS_BIN} run${args}`, {
      JOBS_URL: server.url,
      JOBS_API_TOKEN: TOKEN,
      NO_COLOR: '1',
    });

  const listJobs = async () => {
    const result = await jobs(['list', '--json'], {
      env: commandEnv({ JOBS_URL: server.url, JOBS_API_TOKEN: TOKEN }),
    });
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as {
      id: string;
      handler: string;
      method: string;
      params: unknown[];
      priority: number;
      maxAttempts: number;
    }[];
  };

  it('walks from handler to confirmation and enqueues the job', async () => {
    await using term = wizard();
    await term.waitFor(/Handler[\s\S]*math[\s\S]*mailer/);
    term.press('Down', 'Enter');
    await term.waitFor(/Method of mailer[\s\S]*send \(\[email, string\]\)/);
    term.press('Enter');
    await term.waitFor(/Params as a JSON array/);
    term.type('["ada@example.com", "Hello"]');
    term.press('Enter');
    await term.waitFor(/Priority/);
    term.press('C-u');
    term.type('5');
    term.press('Enter');
    await term.waitFor(/Delay in seconds/);
    term.press('Enter');
    await term.waitFor(/Retries after a failure/);
    term.type('2');
    term.press('Enter');
    const summary = await term.waitFor(/Enqueue this job\?/);
    expect(summary).toContain('mailer.send("ada@example.com", "Hello")');
    expect(summary).toContain('priority 5, delay 0 s, retries 2');
    term.press('Enter');
    const done = await term.waitFor(/EXIT:\d+/);
    expect(done).toMatch(/Job \d+ enqueued/);
    expect(done).toContain('EXIT:0');

    const [job] = await listJobs();
    expect(job).toMatchObject({
      handler: 'mailer',
      method: 'send',
      params: ['ada@example.com', 'Hello'],
      priority: 5,
      maxAttempts: 3,
    });
  });

  it('says "already queued as job N" when the unique key of --unique-key is held', async () => {
    const first = await jobs(
      ['run', 'math', 'add', '[1, 2]', '--unique-key', 'wiz-key', '--json'],
      {
        env: commandEnv({ JOBS_URL: server.url, JOBS_API_TOKEN: TOKEN }),
      },
    );
    expect(first.code).toBe(0);
    const held = JSON.parse(first.stdout) as { id: string; created: boolean };
    expect(held.created).toBe(true);
    const before = (await listJobs()).length;
    await using term = wizard(' math --unique-key wiz-key');
    await term.waitFor(/Method of math/);
    term.press('Enter');
    await term.waitFor(/Params as a JSON array/);
    term.type('[3, 4]');
    term.press('Enter');
    await term.waitFor(/Priority/);
    term.press('Enter');
    await term.waitFor(/Delay in seconds/);
    term.press('Enter');
    await term.waitFor(/Retries after a failure/);
    term.press('Enter');
    const summary = await term.waitFor(/Enqueue this job\?/);
    expect(summary).toContain('unique key "wiz-key"');
    term.press('Enter');
    const done = await term.waitFor(/EXIT:\d+/);
    expect(done).toContain(`already queued as job ${held.id} (key "wiz-key", queued)`);
    expect(done).toContain('EXIT:0');
    expect((await listJobs()).length).toBe(before);
  });

  it('re-asks params that are not JSON at once, and those the schema refuses with its own message; Ctrl-C enqueues nothing', async () => {
    const before = (await listJobs()).length;
    await using term = wizard();
    await term.waitFor(/Handler/);
    term.press('Down', 'Enter');
    await term.waitFor(/Method of mailer/);
    term.press('Enter');
    await term.waitFor(/Params as a JSON array/);
    term.type('["ada@example.com",');
    term.press('Enter');
    await term.waitFor(/params: is not valid JSON/);
    term.press('C-u');
    term.type('["not an address", "Hi"]');
    term.press('Enter');
    await term.waitFor(/Priority/);
    term.press('Enter');
    await term.waitFor(/Delay in seconds/);
    term.press('Enter');
    await term.waitFor(/Retries after a failure/);
    term.press('Enter');
    await term.waitFor(/Enqueue this job\?/);
    term.press('Enter');
    // The server's answer, in the schema's words, and the params asked again.
    const refused = await term.waitFor(
      /params\.0: Invalid email address[\s\S]*Params as a JSON array/,
    );
    expect(refused).not.toMatch(/must be a valid email/);
    term.press('C-u');
    term.type('["ada@example.com", "Hi"]');
    term.press('Enter');
    await term.waitFor(/mailer\.send\("ada@example\.com", "Hi"\)[\s\S]*Enqueue this job\?/);
    term.press('C-c');
    const screen = await term.waitFor(/EXIT:\d+/);
    expect(screen).toMatch(/Cancelled: nothing was enqueued/);
    expect(screen).toContain('EXIT:130');
    expect(await listJobs()).toHaveLength(before);
  });

  it('is refused without the token, with a hint (exit 1)', async () => {
    const result = await jobs(['list'], { env: commandEnv({ JOBS_URL: server.url }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused the request/);
    expect(result.stderr).toMatch(/JOBS_API_TOKEN/);
  });
});
