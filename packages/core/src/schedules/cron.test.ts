import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { nextTick, nextTicks, validateCron, validateTimezone } from './cron.js';

const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString());
const at = (text: string) => new Date(text);

describe('next ticks (pure: the time is an argument)', () => {
  it('runs a 02:30 daily job in Europe/Berlin at 03:00 on the spring-forward day (02:30 does not exist)', () => {
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST.
    expect(iso(nextTicks('30 2 * * *', 'Europe/Berlin', at('2026-03-28T12:00:00Z'), 3))).toEqual([
      '2026-03-29T01:00:00.000Z', // 03:00 CEST, the first instant after the gap
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('runs a 02:30 daily job in Europe/Berlin once on the fall-back day (02:30 happens twice)', () => {
    // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET.
    expect(iso(nextTicks('30 2 * * *', 'Europe/Berlin', at('2026-10-24T12:00:00Z'), 3))).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, the first occurrence; not again at 01:30Z
      '2026-10-26T01:30:00.000Z', // 02:30 CET
      '2026-10-27T01:30:00.000Z',
    ]);
  });

  it('reads the expression in UTC by default and in the given timezone otherwise', () => {
    const from = at('2026-06-01T00:00:00Z');
    expect(nextTick('0 9 * * *', 'UTC', from)?.toISOString()).toBe('2026-06-01T09:00:00.000Z');
    expect(nextTick('0 9 * * *', 'America/New_York', from)?.toISOString()).toBe(
      '2026-06-01T13:00:00.000Z',
    );
    expect(nextTick('0 9 * * *', 'Asia/Kolkata', from)?.toISOString()).toBe(
      '2026-06-01T03:30:00.000Z',
    );
  });

  it('understands nicknames, seconds and names of months and days', () => {
    expect(iso(nextTicks('@hourly', 'UTC', at('2026-01-01T00:10:00Z'), 2))).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ]);
    expect(nextTick('@daily', 'UTC', at('2026-01-01T00:10:00Z'))?.toISOString()).toBe(
      '2026-01-02T00:00:00.000Z',
    );
    expect(nextTick('@weekly', 'UTC', at('2026-01-01T00:10:00Z'))?.toISOString()).toBe(
      '2026-01-04T00:00:00.000Z', // Sunday
    );
    expect(nextTick('@monthly', 'UTC', at('2026-01-01T00:10:00Z'))?.toISOString()).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    expect(nextTick('@yearly', 'UTC', at('2026-01-01T00:10:00Z'))?.toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(iso(nextTicks('*/1 * * * * *', 'UTC', at('2026-01-01T00:10:00.500Z'), 2))).toEqual([
      '2026-01-01T00:10:01.000Z',
      '2026-01-01T00:10:02.000Z',
    ]);
    expect(iso(nextTicks('0 8 * FEB MON-WED', 'UTC', at('2026-01-31T00:00:00Z'), 3))).toEqual([
      '2026-02-02T08:00:00.000Z',
      '2026-02-03T08:00:00.000Z',
      '2026-02-04T08:00:00.000Z',
    ]);
  });

  it('is strictly after the given time', () => {
    expect(nextTick('0 * * * *', 'UTC', at('2026-01-01T05:00:00Z'))?.toISOString()).toBe(
      '2026-01-01T06:00:00.000Z',
    );
  });
});

describe('validation', () => {
  const fieldOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof ValidationError ? `${error.field}: ${error.message}` : 'other';
    }
    return 'ok';
  };

  it('refuses bad expressions naming the field and the reason', () => {
    expect(fieldOf(() => validateCron('61 * * * *'))).toMatch(/^cron: .*minute/);
    expect(fieldOf(() => validateCron('* * *'))).toMatch(/^cron: /);
    expect(fieldOf(() => validateCron(''))).toMatch(/^cron: /);
    expect(fieldOf(() => validateCron(5))).toMatch(/^cron: /);
    expect(fieldOf(() => validateCron('@reboot'))).toMatch(/^cron: /);
    expect(fieldOf(() => validateCron('0 0 30 2 *'))).toMatch(/^cron: .*never/);
    expect(fieldOf(() => validateCron(`${'1,'.repeat(200)}1 * * * *`))).toMatch(/^cron: .*200/);
    expect(fieldOf(() => validateCron('0 9 * * *\u0000'))).toMatch(/^cron: /);
    expect(validateCron('*/5 * * * * *')).toBe('*/5 * * * * *');
  });

  it('refuses unknown timezones naming the field', () => {
    expect(fieldOf(() => validateTimezone('Nope/Zone'))).toMatch(/^timezone: .*Nope\/Zone/);
    expect(fieldOf(() => validateTimezone(''))).toMatch(/^timezone: /);
    expect(fieldOf(() => validateTimezone('Europe/Berlin\uD800'))).toMatch(/^timezone: /);
    expect(validateTimezone('Europe/Berlin')).toBe('Europe/Berlin');
  });
});
