import { describe, expect, it } from 'vitest';
import type { HandlerInfo } from '../api/types.js';
import { type EnqueueFormValues, fieldOfServerError, validateEnqueueForm } from './enqueue-form.js';

const handlers: HandlerInfo[] = [
  {
    name: 'mailer',
    isolated: false,
    methods: [
      {
        name: 'send',
        hasSchema: true,
        paramsSchema: {
          type: 'array',
          prefixItems: [{ type: 'string', format: 'email' }, { type: 'string' }],
        },
        arity: { min: 2, max: 2, names: ['to', 'subject'] },
      },
    ],
  },
  {
    name: 'reports',
    isolated: true,
    methods: [
      {
        name: 'build',
        hasSchema: false,
        paramsSchema: null,
        arity: { min: 1, max: 1, names: ['year'] },
      },
    ],
  },
];

const base: EnqueueFormValues = {
  handler: 'mailer',
  method: 'send',
  params: '["a@b.co", "Hi"]',
  queue: '',
  priority: '0',
  delay: '0',
  retries: '',
  uniqueKey: '',
  uniqueFor: '',
  uniqueStates: '',
};

describe('validateEnqueueForm', () => {
  it('sends the unique key, window and states when given, and checks them', () => {
    expect(
      validateEnqueueForm(
        { ...base, uniqueKey: 'digest:7', uniqueFor: '3600', uniqueStates: 'completed, failed' },
        handlers,
      ),
    ).toEqual({
      ok: true,
      request: {
        handler: 'mailer',
        method: 'send',
        params: ['a@b.co', 'Hi'],
        uniqueKey: 'digest:7',
        uniqueFor: 3600,
        uniqueStates: ['completed', 'failed'],
      },
    });
    const bad = validateEnqueueForm(
      { ...base, uniqueKey: 'k', uniqueFor: '0', uniqueStates: 'completed,done' },
      handlers,
    );
    expect(!bad.ok && bad.errors).toEqual({
      uniqueFor: 'Seconds above 0, up to a year; or blank.',
      uniqueStates: expect.stringMatching(/^"done" is not a state/),
    });
    const keyless = validateEnqueueForm({ ...base, uniqueFor: '60' }, handlers);
    expect(!keyless.ok && keyless.errors).toEqual({
      uniqueKey: 'Give a unique key for a window or states.',
    });
    expect(fieldOfServerError('uniqueStates.1')).toBe('uniqueStates');
  });

  it('builds the request, leaving defaults to the server', () => {
    expect(validateEnqueueForm(base, handlers)).toEqual({
      ok: true,
      request: { handler: 'mailer', method: 'send', params: ['a@b.co', 'Hi'] },
    });
    expect(
      validateEnqueueForm(
        { ...base, queue: 'emails', priority: '-5', delay: '1.5', retries: '0' },
        handlers,
      ),
    ).toEqual({
      ok: true,
      request: {
        handler: 'mailer',
        method: 'send',
        params: ['a@b.co', 'Hi'],
        queue: 'emails',
        priority: -5,
        delay: 1.5,
        retries: 0,
      },
    });
  });

  it('puts each problem on its field', () => {
    const result = validateEnqueueForm(
      {
        handler: 'reports',
        method: 'nope',
        params: '{',
        queue: 'bad queue',
        priority: '1.5',
        delay: '-1',
        retries: '1001',
        uniqueKey: '',
        uniqueFor: '',
        uniqueStates: '',
      },
      handlers,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual({
      method: 'This handler has no such method.',
      params: expect.stringMatching(/^params: is not valid JSON/),
      queue: expect.stringMatching(/64 letters/),
      priority: expect.stringMatching(/whole number/),
      delay: expect.stringMatching(/Seconds/),
      retries: expect.stringMatching(/0 to 1000/),
    });
  });

  it('checks the count of a method without a schema, and leaves a schema to the server', () => {
    const count = validateEnqueueForm(
      { ...base, handler: 'reports', method: 'build', params: '[2024, 1]' },
      handlers,
    );
    expect(!count.ok && count.errors.params).toBe('params: build takes 1 argument (year); got 2');
    const schema = validateEnqueueForm({ ...base, params: '["not an email", "Hi"]' }, handlers);
    expect(schema.ok).toBe(true);
    const none = validateEnqueueForm({ ...base, handler: '', method: '' }, handlers);
    expect(!none.ok && none.errors).toMatchObject({
      handler: 'Pick a handler.',
      method: 'Pick a method.',
    });
  });
});

describe('fieldOfServerError', () => {
  it('maps the API field to the form field', () => {
    expect(fieldOfServerError('params.0.email')).toBe('params');
    expect(fieldOfServerError('priority')).toBe('priority');
    expect(fieldOfServerError('body')).toBe('form');
    expect(fieldOfServerError(undefined)).toBe('form');
  });
});
