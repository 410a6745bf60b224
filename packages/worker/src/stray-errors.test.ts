import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Logger } from './logger.js';
import { keepRunningOnUnhandledRejections } from './stray-errors.js';

describe('keepRunningOnUnhandledRejections', () => {
  it('logs an unhandled rejection instead of letting it end the process, until removed', () => {
    const target = new EventEmitter();
    const logged: unknown[] = [];
    const logger = {
      error: (_msg: string, fields?: Record<string, unknown>) => logged.push(fields?.error),
    } as unknown as Logger;
    const remove = keepRunningOnUnhandledRejections(logger, target as unknown as NodeJS.Process);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    target.emit('unhandledRejection', reset);
    expect(logged).toEqual([reset]);
    remove();
    expect(target.listenerCount('unhandledRejection')).toBe(0);
  });
});
