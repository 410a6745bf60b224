import { describe, expect, it } from 'vitest';
import { clientDefaultsFromEnv } from './client-env.js';
import { ValidationError } from './errors.js';
import { validationFieldOf } from './testing/validation.js';

describe('clientDefaultsFromEnv', () => {
  it('takes MAX_RETRIES as the retries of jobs enqueued without them', () => {
    expect(clientDefaultsFromEnv({ MAX_RETRIES: '7' })).toEqual({ retries: 7 });
    expect(clientDefaultsFromEnv({ MAX_RETRIES: ' 0 ' })).toEqual({ retries: 0 });
    expect(clientDefaultsFromEnv({ MAX_RETRIES: '1000' })).toEqual({ retries: 1000 });
  });

  it('leaves the defaults alone when MAX_RETRIES is unset or blank', () => {
    expect(clientDefaultsFromEnv({})).toEqual({});
    expect(clientDefaultsFromEnv({ MAX_RETRIES: '' })).toEqual({});
    expect(clientDefaultsFromEnv({ MAX_RETRIES: '   ', PATH: '/bin' })).toEqual({});
  });

  it.each(['-1', '1.5', '1e3', '1001', 'lots', '0x10'])(
    'refuses MAX_RETRIES=%s, naming it',
    (raw) => {
      expect(validationFieldOf(() => clientDefaultsFromEnv({ MAX_RETRIES: raw }))).toBe(
        'MAX_RETRIES',
      );
      expect(() => clientDefaultsFromEnv({ MAX_RETRIES: raw })).toThrow(
        new ValidationError('MAX_RETRIES', `must be a whole number from 0 to 1000, not "${raw}"`),
      );
    },
  );
});
