import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueWork, type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { assertExecutions, checkExecutions, ExecutionInvariantError } from '../src/invariant.js';
import { MUTANT_ENV, type Mutation } from '../src/mutant-registry.js';
import { Processes } from '../src/processes.js';

/** The built mutant registry module (see src/mutants.ts). */
const MUTANTS_MODULE = fileURLToPath(new URL('../dist/mutants.js', import.meta.url));
const JOBS = 40;

describe('the execution invariant catches a worker that lies', () => {
  const processes = new Processes();
  const dbs: ScenarioDb[] = [];

  afterEach(async () => {
    processes.killAll();
    for (const db of dbs.splice(0)) await db.close();
  });

  /** Runs JOBS short jobs on one worker (honest, or carrying `mutation`) until none is open. */
  async function run(name: string, mutation?: Mutation): Promise<ScenarioDb> {
    const db = await scenarioDb(name);
    dbs.push(db);
    await processes.worker({
      url: db.url,
      schema: db.schema,
      executions: db.executionsDir,
      ...(mutation === undefined
        ? {}
        : { handlers: MUTANTS_MODULE, env: { [MUTANT_ENV]: mutation } }),
      args: ['--concurrency', '4', '--poll-interval-ms', '100'],
    });
    await enqueueWork(db, JOBS, 1, 5);
    await db.drained(60_000);
    return db;
  }

  it('holds for an honest worker', async () => {
    const db = await run('honest');
    const report = await assertExecutions(db, 'invariant-honest');
    expect(report).toMatchObject({ jobs: JOBS, executions: JOBS, completions: JOBS });
  });

  it('fails when the worker marks jobs completed without calling their handlers', async () => {
    const db = await run('skip', 'skip');
    // The completion audit alone is fooled: every job completed once.
    expect(await db.totals()).toEqual({ completed: JOBS, recorded: JOBS, distinctRecorded: JOBS });
    const report = await checkExecutions(db);
    expect(report.executions).toBe(0);
    expect(report.violations).toHaveLength(JOBS);
    for (const violation of report.violations) expect(violation).toMatch(/never executed$/);
    await expect(assertExecutions(db, 'invariant-skip')).rejects.toBeInstanceOf(
      ExecutionInvariantError,
    );
  });

  it('fails when a handler runs twice in one attempt without a crash', async () => {
    const db = await run('twice', 'twice');
    expect(await db.totals()).toEqual({ completed: JOBS, recorded: JOBS, distinctRecorded: JOBS });
    const report = await checkExecutions(db);
    expect(report.executions).toBe(2 * JOBS);
    expect(report.violations).toHaveLength(JOBS);
    for (const violation of report.violations) {
      expect(violation).toMatch(/executed 2x: attempt 1 in process \d+ ran again with no crash/);
    }
    // Had that worker been killed, the repeats would be explained.
    const killed = new Set(
      (await checkExecutions(db)).violations.map((v) => Number(/process (\d+)/.exec(v)?.[1])),
    );
    expect(await checkExecutions(db, { interrupted: killed })).toMatchObject({
      violations: [],
      extra: { interrupted: JOBS, rescued: 0, retried: 0 },
    });
  });
});
