import { describe, expect, it, vi } from 'vitest';
import { AttemptStop } from './attempt-stop.js';

describe('AttemptStop', () => {
  it('calls its listener once, with the first reason', () => {
    const stop = new AttemptStop();
    const listener = vi.fn();
    stop.onStop(listener);
    stop.stop('first');
    stop.stop('second');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith('first');
    expect(stop.stopped).toBe(true);
    expect(stop.reason).toBe('first');
  });

  it('calls a listener added after the stop at once', () => {
    const stop = new AttemptStop();
    stop.stop('why');
    const listener = vi.fn();
    stop.onStop(listener);
    expect(listener).toHaveBeenCalledWith('why');
  });

  it('does not call a removed listener', () => {
    const stop = new AttemptStop();
    const listener = vi.fn();
    const off = stop.onStop(listener);
    off();
    stop.stop('why');
    expect(listener).not.toHaveBeenCalled();
  });

  it('aborts a signal asked for before the stop, with the same reason', () => {
    const stop = new AttemptStop();
    const { signal } = stop;
    const seen = vi.fn();
    signal.addEventListener('abort', () => seen(signal.reason));
    expect(signal.aborted).toBe(false);
    const reason = new Error('cancelled');
    stop.stop(reason);
    expect(signal.aborted).toBe(true);
    expect(seen).toHaveBeenCalledWith(reason);
  });

  it('hands out an already aborted signal after the stop, and the same signal every time', () => {
    const stop = new AttemptStop();
    const reason = new Error('timed out');
    stop.stop(reason);
    expect(stop.signal.aborted).toBe(true);
    expect(stop.signal.reason).toBe(reason);
    expect(stop.signal).toBe(stop.signal);
  });
});
