import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextTick } from './cron.js';
import { type CatchUp, MAX_CATCH_UP, ON_TIME_MS, planTicks, type TickState } from './plan.js';

const at = (text: string) => new Date(text);
const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString());
const everySecond = (catchUp: CatchUp, nextTickAt: string): TickState => ({
  cron: '* * * * * *',
  timezone: 'UTC',
  catchUp,
  nextTick: at(nextTickAt),
});

describe('planTicks with a fake clock', () => {
  it('enqueues nothing before the next tick and says when it is', () => {
    const plan = planTicks(
      everySecond('last', '2026-01-01T00:00:10Z'),
      at('2026-01-01T00:00:09.900Z'),
    );
    expect(plan.enqueue).toEqual([]);
    expect(plan.lastTick).toBeNull();
    expect(plan.nextTick?.toISOString()).toBe('2026-01-01T00:00:10.000Z');
  });

  it('enqueues a due tick and moves to the one after now', () => {
    const plan = planTicks(
      everySecond('none', '2026-01-01T00:00:10Z'),
      at('2026-01-01T00:00:10.300Z'),
    );
    expect(iso(plan.enqueue)).toEqual(['2026-01-01T00:00:10.000Z']);
    expect(plan.lastTick?.toISOString()).toBe('2026-01-01T00:00:10.000Z');
    expect(plan.nextTick?.toISOString()).toBe('2026-01-01T00:00:11.000Z');
  });

  it('counts ticks up to ON_TIME_MS late as on time, whatever the policy (a late or replaced daemon)', () => {
    const now = at('2026-01-01T00:00:12.000Z');
    expect(ON_TIME_MS).toBe(2000);
    const plan = planTicks(everySecond('none', '2026-01-01T00:00:10Z'), now);
    expect(iso(plan.enqueue)).toEqual([
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:11.000Z',
      '2026-01-01T00:00:12.000Z',
    ]);
    expect(plan.skipped).toBe(0);
  });

  it('after a downtime: none skips missed ticks, last enqueues the latest, all enqueues each', () => {
    const now = at('2026-01-01T00:00:20.500Z'); // ticks 00..20 due; 19 and 20 on time
    const none = planTicks(everySecond('none', '2026-01-01T00:00:00Z'), now);
    expect(iso(none.enqueue)).toEqual(['2026-01-01T00:00:19.000Z', '2026-01-01T00:00:20.000Z']);
    expect(none.skipped).toBe(19);
    const last = planTicks(everySecond('last', '2026-01-01T00:00:00Z'), now);
    expect(iso(last.enqueue)).toEqual([
      '2026-01-01T00:00:18.000Z',
      '2026-01-01T00:00:19.000Z',
      '2026-01-01T00:00:20.000Z',
    ]);
    expect(last.skipped).toBe(18);
    const all = planTicks(everySecond('all', '2026-01-01T00:00:00Z'), now);
    expect(all.enqueue).toHaveLength(21);
    expect(all.skipped).toBe(0);
    for (const plan of [none, last, all]) {
      expect(plan.lastTick?.toISOString()).toBe('2026-01-01T00:00:20.000Z');
      expect(plan.nextTick?.toISOString()).toBe('2026-01-01T00:00:21.000Z');
    }
  });

  it('caps all at MAX_CATCH_UP, keeping the most recent ticks', () => {
    const now = at('2026-01-01T01:00:00.000Z'); // 3601 ticks due
    const plan = planTicks(everySecond('all', '2026-01-01T00:00:00Z'), now);
    expect(plan.enqueue).toHaveLength(MAX_CATCH_UP);
    expect(plan.enqueue.at(-1)?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(plan.enqueue[0]?.toISOString()).toBe('2026-01-01T00:58:21.000Z');
    expect(plan.skipped).toBe(3601 - MAX_CATCH_UP);
  });

  it('jumps over a very long downtime without looking at every tick', () => {
    const now = at('2026-01-08T00:00:00.000Z'); // a week of seconds: 604,801 ticks due
    const started = performance.now();
    const plan = planTicks(everySecond('all', '2026-01-01T00:00:00Z'), now);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(plan.enqueue).toHaveLength(MAX_CATCH_UP);
    expect(plan.enqueue.at(-1)?.toISOString()).toBe('2026-01-08T00:00:00.000Z');
    expect(plan.nextTick?.toISOString()).toBe('2026-01-08T00:00:01.000Z');
    expect(plan.skipped).toBeGreaterThan(600_000);
  });

  it('keeps Europe/Berlin 02:30 across the spring-forward day when catching up', () => {
    const plan = planTicks(
      {
        cron: '30 2 * * *',
        timezone: 'Europe/Berlin',
        catchUp: 'all',
        nextTick: at('2026-03-28T01:30:00Z'),
      },
      at('2026-03-30T12:00:00Z'),
    );
    expect(iso(plan.enqueue)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('never enqueues a tick twice or loses one across any sequence of scheduler wake-ups (all)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 1, maxLength: 40 }),
        (steps) => {
          let state = everySecond('all', '2026-01-01T00:00:00Z');
          let now = at('2026-01-01T00:00:00Z').getTime();
          const enqueued: number[] = [];
          for (const step of steps) {
            now += step;
            const plan = planTicks(state, new Date(now));
            enqueued.push(...plan.enqueue.map((d) => d.getTime()));
            state = { ...state, nextTick: plan.nextTick };
          }
          const expected: number[] = [];
          for (let t = at('2026-01-01T00:00:00Z').getTime(); t <= now; t += 1000) expected.push(t);
          expect(enqueued).toEqual(expected);
        },
      ),
    );
  });

  it('agrees with nextTick for the next tick to wait for', () => {
    const now = at('2026-05-05T10:17:33.250Z');
    const plan = planTicks(
      {
        cron: '*/15 * * * *',
        timezone: 'UTC',
        catchUp: 'none',
        nextTick: at('2026-05-05T10:15:00Z'),
      },
      now,
    );
    expect(plan.nextTick).toEqual(nextTick('*/15 * * * *', 'UTC', now));
    expect(plan.enqueue).toEqual([]);
    expect(plan.skipped).toBe(1);
  });
});
