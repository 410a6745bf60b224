import {
  CLIENT_DEFAULTS,
  createScheduleClient,
  defineHandlers,
  type ScheduleJobMaker,
  ScheduleRefusedError,
  type ScheduleSpec,
  scheduleJob,
} from '@jobs/core';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

const registry = defineHandlers({ reports: { daily: (day: string) => day } });
const make: ScheduleJobMaker = (s) => scheduleJob(registry, s, CLIENT_DEFAULTS);

const spec = (over: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  name: 'nightly',
  cron: '30 2 * * *',
  timezone: 'UTC',
  handler: 'reports',
  method: 'daily',
  params: ['x'],
  options: {},
  catchUp: 'all',
  enabled: null,
  ...over,
});

describe('schedules in PostgreSQL', () => {
  let schema: TestSchema;
  let store: PgJobStore;
  let admin: postgres.Sql;

  beforeAll(async () => {
    schema = await createTestSchema('schedules');
    store = createPgStore({ url: schema.url, schema: schema.schema, max: 4 });
    admin = postgres(schema.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await store.close();
    await admin.end();
    await schema.drop();
  });
  beforeEach(async () => {
    await admin.unsafe(
      `TRUNCATE ${schema.schema}.jobs, ${schema.schema}.schedules RESTART IDENTITY CASCADE`,
    );
  });

  /** Moves a schedule's next tick `seconds` into the past (as if every daemon had been down). */
  async function rewind(name: string, to: string) {
    await admin.unsafe(`UPDATE ${schema.schema}.schedules SET next_tick = $2 WHERE name = $1`, [
      name,
      to,
    ]);
  }

  it('upserts config schedules, keeps their ticks on a restart, and marks removed ones without deleting them', async () => {
    await store.scheduleSync({ schedules: [spec(), spec({ name: 'hourly', cron: '@hourly' })] });
    const first = await store.scheduleGet({ name: 'nightly' });
    expect(first).toMatchObject({ source: 'config', status: 'active', lastTick: null });
    expect(first?.nextTick?.toISOString()).toMatch(/T02:30:00.000Z$/);
    await rewind('nightly', '2026-01-01T02:30:00Z');
    // A restart with the same config keeps the next tick (so missed ticks are caught up).
    expect(
      await store.scheduleSync({ schedules: [spec(), spec({ name: 'hourly', cron: '@hourly' })] }),
    ).toEqual({ removed: [] });
    expect((await store.scheduleGet({ name: 'nightly' }))?.nextTick?.toISOString()).toBe(
      '2026-01-01T02:30:00.000Z',
    );
    // A changed expression starts from the next tick after now.
    await store.scheduleSync({
      schedules: [spec({ cron: '0 3 * * *' }), spec({ name: 'hourly', cron: '@hourly' })],
    });
    expect((await store.scheduleGet({ name: 'nightly' }))?.nextTick?.toISOString()).toMatch(
      /T03:00:00.000Z$/,
    );
    // Left out of the config: removed, kept.
    expect(await store.scheduleSync({ schedules: [spec()] })).toEqual({ removed: ['hourly'] });
    const removed = await store.scheduleGet({ name: 'hourly' });
    expect(removed).toMatchObject({ status: 'removed', enabled: true });
    expect(removed?.removedAt).toBeInstanceOf(Date);
    await rewind('hourly', '2020-01-01T00:00:00Z');
    expect((await store.scheduleFire({ make, by: 'test' })).enqueued).toBe(0);
    // Declared again: active again.
    await store.scheduleSync({ schedules: [spec(), spec({ name: 'hourly', cron: '@hourly' })] });
    expect((await store.scheduleGet({ name: 'hourly' }))?.status).toBe('active');
  });

  it('enqueues each due tick once, recording the schedule and tick on the job', async () => {
    await store.scheduleSync({ schedules: [spec({ cron: '* * * * *' })] });
    await rewind(
      'nightly',
      new Date(Date.now() - 3 * 60_000 - 30_000).toISOString().replace(/\d\d\.\d{3}Z$/, '00.000Z'),
    );
    const fired = await store.scheduleFire({ make, by: 'test' });
    expect(fired.enqueued).toBeGreaterThanOrEqual(3);
    expect(fired.nextDueMs).toBeGreaterThan(0);
    expect((await store.scheduleFire({ make, by: 'test' })).enqueued).toBe(0);
    const jobs = await store.scheduleJobs({ name: 'nightly', limit: 10 });
    expect(jobs).toHaveLength(fired.enqueued);
    const ticks = jobs.map((j) => j.schedule?.tick?.getTime() ?? 0).sort();
    for (let i = 1; i < ticks.length; i++)
      expect((ticks[i] as number) - (ticks[i - 1] as number)).toBe(60_000);
    const one = await store.jobGet({ id: jobs[0]?.id ?? '0' });
    expect(one?.schedule?.name).toBe('nightly');
    expect(one?.params).toEqual(['x']);
    const schedule = await store.scheduleGet({ name: 'nightly' });
    expect(schedule?.lastTick?.getTime()).toBe(ticks.at(-1));
  });

  it('rolls back the jobs and the tick together when the enqueuing process fails mid-way', async () => {
    await store.scheduleSync({ schedules: [spec({ cron: '* * * * *' })] });
    await rewind('nightly', '2020-01-01T00:00:00Z');
    await expect(
      store.scheduleFire({
        by: 'test',
        make: async () => {
          throw new Error('the process died');
        },
      }),
    ).rejects.toThrow();
    expect(await store.scheduleJobs({ name: 'nightly', limit: 10 })).toEqual([]);
    expect((await store.scheduleGet({ name: 'nightly' }))?.nextTick?.toISOString()).toBe(
      '2020-01-01T00:00:00.000Z',
    );
    expect((await store.scheduleFire({ make, by: 'test' })).enqueued).toBe(100); // catchUp all, capped
  });

  it('records why a tick made no job and carries on', async () => {
    await store.scheduleSync({ schedules: [spec({ cron: '* * * * *', method: 'gone' })] });
    await rewind('nightly', new Date(Date.now() - 1000).toISOString());
    expect((await store.scheduleFire({ make, by: 'test' })).enqueued).toBe(0);
    expect((await store.scheduleGet({ name: 'nightly' }))?.lastError).toMatch(/^method: /);
  });

  it('8 stores firing at once enqueue every tick exactly once', async () => {
    await store.scheduleSync({ schedules: [spec({ cron: '* * * * * *', name: 'busy' })] });
    const stores = Array.from({ length: 8 }, () =>
      createPgStore({ url: schema.url, schema: schema.schema, max: 1 }),
    );
    try {
      await rewind(
        'busy',
        new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      );
      const deadline = Date.now() + 3_000;
      await Promise.all(
        stores.map(async (s) => {
          while (Date.now() < deadline) await s.scheduleFire({ make, by: 'test' });
        }),
      );
      const [row] = await admin.unsafe(
        `SELECT count(*)::int AS n, count(DISTINCT schedule_tick)::int AS ticks,
                extract(epoch FROM max(schedule_tick) - min(schedule_tick))::int + 1 AS span
           FROM ${schema.schema}.jobs WHERE schedule_name = 'busy'`,
      );
      expect(row?.n).toBe(row?.ticks);
      expect(row?.n).toBe(row?.span);
      expect(row?.n).toBeGreaterThan(60);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('creates, replaces, pauses, resumes, triggers and deletes run-time schedules, and refuses to edit config ones', async () => {
    await store.scheduleSync({ schedules: [spec()] });
    expect(await store.scheduleCreate({ schedule: spec() })).toEqual({
      ok: false,
      reason: 'exists',
    });
    expect(await store.scheduleReplace({ schedule: spec() })).toEqual({
      ok: false,
      reason: 'config',
    });
    expect(await store.scheduleDelete({ name: 'nightly' })).toEqual({
      ok: false,
      reason: 'config',
    });
    const created = await store.scheduleCreate({
      schedule: spec({ name: 'adhoc', cron: '@daily' }),
    });
    expect(created).toMatchObject({ ok: true, schedule: { source: 'api', status: 'active' } });
    const replaced = await store.scheduleReplace({
      schedule: spec({ name: 'adhoc', cron: '@hourly', params: ['y'] }),
    });
    expect(replaced).toMatchObject({ ok: true, schedule: { cron: '@hourly', params: ['y'] } });
    expect(await store.scheduleEnabledSet({ name: 'adhoc', enabled: false })).toMatchObject({
      ok: true,
      schedule: { status: 'paused' },
    });
    await rewind('adhoc', '2020-01-01T00:00:00Z');
    expect((await store.scheduleFire({ make, by: 'test' })).enqueued).toBe(0);
    const resumed = await store.scheduleEnabledSet({ name: 'adhoc', enabled: true });
    expect(
      resumed.ok &&
        resumed.schedule.nextTick !== null &&
        resumed.schedule.nextTick.getTime() > Date.now() - 5_000,
    ).toBe(true);
    const triggered = await store.scheduleTrigger({ name: 'adhoc', make });
    expect(triggered?.schedule).toEqual({ name: 'adhoc', tick: null });
    expect(await store.scheduleTrigger({ name: 'nope', make })).toBeNull();
    expect(await store.scheduleDelete({ name: 'adhoc' })).toMatchObject({ ok: true });
    expect(await store.scheduleGet({ name: 'adhoc' })).toBeNull();
    expect(await store.jobGet({ id: triggered?.id ?? '0' })).not.toBeNull();
    expect(await store.scheduleDelete({ name: 'adhoc' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect((await store.scheduleList()).map((s) => s.name)).toEqual(['nightly']);
  });

  it('gives application code the same run-time management through createScheduleClient', async () => {
    const client = createScheduleClient(store, registry);
    const definition = {
      name: 'from-code',
      cron: '0 9 * * MON',
      timezone: 'America/New_York',
      handler: 'reports',
      method: 'daily',
      params: ['mon'],
    };
    const created = await client.create(definition);
    expect(created).toMatchObject({ source: 'api', status: 'active', catchUp: 'last' });
    await expect(client.create(definition)).rejects.toBeInstanceOf(ScheduleRefusedError);
    await expect(
      client.create({
        name: 'bad',
        cron: '* * *',
        handler: 'reports',
        method: 'daily',
        params: ['x'],
      }),
    ).rejects.toThrow(/^cron: /);
    expect((await client.pause('from-code')).status).toBe('paused');
    expect((await client.resume('from-code')).status).toBe('active');
    const job = await client.trigger('from-code');
    expect(job.schedule).toEqual({ name: 'from-code', tick: null });
    await expect(client.trigger('missing')).rejects.toThrow(/does not exist/);
    expect((await client.delete('from-code')).name).toBe('from-code');
    expect(await client.get('from-code')).toBeNull();
  });
});
