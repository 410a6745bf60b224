import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { defineHandlers, handler } from '../handlers.js';
import { validateSchedule } from './definition.js';

class Reports {
  daily(day: string): string {
    return day;
  }
}
const registry = defineHandlers({
  reports: new Reports(),
  mailer: handler({ send: (to: string) => to }, { schemas: { send: z.tuple([z.email()]) } }),
});

async function problem(input: unknown): Promise<string> {
  try {
    await validateSchedule(input, registry);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  return 'ok';
}

const base = {
  name: 'nightly',
  cron: '30 2 * * *',
  handler: 'reports',
  method: 'daily',
  params: ['x'],
};

describe('validateSchedule', () => {
  it('fills in the defaults', async () => {
    expect(await validateSchedule(base, registry)).toEqual({
      ...base,
      timezone: 'UTC',
      options: {},
      catchUp: 'last',
      enabled: null,
    });
  });

  it('names the field at fault', async () => {
    expect(await problem({ ...base, cron: 'nope' })).toMatch(/^cron: /);
    expect(await problem({ ...base, timezone: 'Mars/Olympus' })).toMatch(/^timezone: /);
    expect(await problem({ ...base, handler: 'nobody' })).toMatch(/^handler: .*not registered/);
    expect(await problem({ ...base, method: 'weekly' })).toMatch(/^method: /);
    expect(await problem({ ...base, method: 'toString' })).toMatch(/^method: /);
    expect(await problem({ ...base, params: [] })).toMatch(/^params: daily takes 1 argument/);
    expect(
      await problem({ ...base, handler: 'mailer', method: 'send', params: ['not-an-email'] }),
    ).toMatch(/^params\.0: /);
    expect(await problem({ ...base, catchUp: 'some' })).toMatch(
      /^catchUp: must be one of none, last, all/,
    );
    expect(await problem({ ...base, enabled: 'yes' })).toMatch(/^enabled: /);
    expect(await problem({ ...base, name: 'a/b' })).toMatch(/^name: /);
    expect(await problem({ ...base, name: '' })).toMatch(/^name: /);
    expect(await problem({ ...base, options: { priority: 1.5 } })).toMatch(/^options\.priority: /);
    expect(await problem({ ...base, options: { delay: 5 } })).toMatch(/^options\.delay: /);
    expect(await problem({ ...base, options: { colour: 'red' } })).toMatch(/^options\.colour: /);
    expect(await problem({ ...base, cronn: '* * * * *' })).toMatch(/^cronn: /);
  });

  it('refuses unstorable text, huge values and deep nesting in params and names', async () => {
    expect(await problem({ ...base, params: ['a\u0000b'] })).toMatch(/^params\.0: .*NUL/);
    expect(await problem({ ...base, params: ['\uD800'] })).toMatch(/^params\.0: /);
    expect(await problem({ ...base, name: 'a\u0000' })).toMatch(/^name: /);
    expect(await problem({ ...base, params: ['x'.repeat(2 * 1024 * 1024)] })).toMatch(/^params/);
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(await problem({ ...base, params: [deep] })).toMatch(/^params/);
    expect(await problem({ ...base, options: { tags: ['a\u0000'] } })).toMatch(
      /^options\.tags\.0: /,
    );
  });
});
