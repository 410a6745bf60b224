import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installSignalHandlers } from './signals.js';
import type { Worker } from './types.js';

function fakeWorker(stopDelayMs: number) {
  const stops: (number | undefined)[] = [];
  const worker = {
    stop: (options?: { graceMs?: number }) => {
      stops.push(options?.graceMs);
      return new Promise<void>((r) => setTimeout(r, stopDelayMs));
    },
  } as unknown as Worker;
  return { worker, stops };
}

describe('installSignalHandlers', () => {
  it('stops gracefully on the first signal, then exits 0', async () => {
    const target = new EventEmitter();
    const { worker, stops } = fakeWorker(10);
    const exits: number[] = [];
    let closed = false;
    installSignalHandlers(worker, {
      graceMs: 500,
      target: target as unknown as NodeJS.Process,
      exit: (code) => exits.push(code),
      beforeExit: async () => {
        closed = true;
      },
    });
    target.emit('SIGTERM');
    expect(stops).toEqual([500]);
    await new Promise((r) => setTimeout(r, 30));
    expect(closed).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('exits at once on a second signal, and can be removed', () => {
    const target = new EventEmitter();
    const { worker } = fakeWorker(10_000);
    const exits: number[] = [];
    const remove = installSignalHandlers(worker, {
      target: target as unknown as NodeJS.Process,
      exit: (code) => exits.push(code),
    });
    target.emit('SIGINT');
    target.emit('SIGINT');
    expect(exits).toEqual([130]);
    remove();
    expect(target.listenerCount('SIGINT') + target.listenerCount('SIGTERM')).toBe(0);
  });
});
