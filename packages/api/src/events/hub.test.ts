import type { StoreEvent } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { createEventHub } from './hub.js';

function fakeSource() {
  const state = { listening: 0, starts: 0, emit: (_event: StoreEvent) => {} };
  const source = async (listener: (event: StoreEvent) => void) => {
    state.listening += 1;
    state.starts += 1;
    state.emit = listener;
    return async () => {
      state.listening -= 1;
    };
  };
  return { state, source };
}

describe('createEventHub', () => {
  it('listens once for many subscribers and stops after the last leaves', async () => {
    const { state, source } = fakeSource();
    const hub = createEventHub(source);
    const a: StoreEvent[] = [];
    const b: StoreEvent[] = [];
    const [stopA, stopB] = await Promise.all([
      hub.subscribe((e) => a.push(e)),
      hub.subscribe((e) => b.push(e)),
    ]);
    expect(state.starts).toBe(1);
    state.emit({ type: 'inserted' });
    expect([a.length, b.length]).toEqual([1, 1]);
    await stopA();
    await stopA();
    expect(state.listening).toBe(1);
    await stopB();
    expect(state.listening).toBe(0);
    expect(hub.size).toBe(0);
    await (await hub.subscribe(() => {}))();
    expect(state.starts).toBe(2);
  });

  it('keeps delivering when one subscriber throws', async () => {
    const { state, source } = fakeSource();
    const hub = createEventHub(source);
    const got: StoreEvent[] = [];
    await hub.subscribe(() => {
      throw new Error('bad subscriber');
    });
    await hub.subscribe((e) => got.push(e));
    state.emit({ type: 'inserted' });
    expect(got).toHaveLength(1);
  });

  it('lets the next subscriber try again when listening failed', async () => {
    let fail = true;
    const hub = createEventHub(async () => {
      if (fail) throw new Error('down');
      return async () => {};
    });
    await expect(hub.subscribe(() => {})).rejects.toThrow('down');
    expect(hub.size).toBe(0);
    fail = false;
    await expect(hub.subscribe(() => {})).resolves.toBeTypeOf('function');
  });
});
