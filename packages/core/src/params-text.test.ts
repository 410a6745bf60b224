import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { defineHandlers } from './handlers.js';
import { paramsFromText } from './params-text.js';
import type { JobStore } from './store.js';

describe('paramsFromText', () => {
  it('reads a JSON array, and empty text as no params', () => {
    expect(paramsFromText(' ["a@b.c", 2] ')).toEqual(['a@b.c', 2]);
    expect(paramsFromText('  ')).toEqual([]);
  });

  it('names params when the text is not JSON', () => {
    expect(() => paramsFromText('["a"')).toThrow(/^params: is not valid JSON: /);
  });

  it('refuses a value that is not an array in the words the client uses', async () => {
    let thrown: unknown;
    try {
      paramsFromText('{"a":1}');
    } catch (error) {
      thrown = error;
    }
    const client = createClient({} as JobStore, defineHandlers({ h: { m: (a: unknown) => a } }));
    const fromClient = await client
      .enqueueUntyped({ handler: 'h', method: 'm', params: { a: 1 } })
      .catch((error: unknown) => error);
    expect(thrown).toMatchObject({ field: 'params', message: 'params: must be an array' });
    expect((fromClient as Error).message).toBe((thrown as Error).message);
  });
});
