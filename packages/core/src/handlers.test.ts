import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UnknownHandlerError, ValidationError } from './errors.js';
import { defineHandlers, handler } from './handlers.js';

class BaseService {
  inherited(): string {
    return `base:${this.name()}`;
  }
  name(): string {
    return 'base';
  }
}

class SomeClass extends BaseService {
  readonly prefix = 'some';
  override name(): string {
    return this.prefix;
  }
  greet(who: string): string {
    return `${this.prefix} greets ${who}`;
  }
  override toString(): string {
    return 'SomeClass';
  }
}

const mailer = {
  sent: [] as string[],
  send(to: string, subject: string): string {
    this.sent.push(`${to}:${subject}`);
    return 'ok';
  },
};

const fieldOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('defineHandlers', () => {
  const registry = defineHandlers({ 'App\\Services\\SomeClass': new SomeClass(), mailer });

  it('resolves a class method bound to its instance, including inherited ones', () => {
    expect(registry.resolve('App\\Services\\SomeClass', 'greet').call(['Ada'])).toBe(
      'some greets Ada',
    );
    expect(registry.resolve('App\\Services\\SomeClass', 'inherited').call([])).toBe('base:some');
  });

  it('resolves a plain object function bound to the object', () => {
    expect(registry.resolve('mailer', 'send').call(['a@b.c', 'Hi'])).toBe('ok');
    expect(mailer.sent).toContain('a@b.c:Hi');
  });

  it('lists handlers and methods in definition order', () => {
    expect(registry.list()).toEqual([
      {
        name: 'App\\Services\\SomeClass',
        methods: [
          { name: 'name', hasSchema: false },
          { name: 'greet', hasSchema: false },
          { name: 'inherited', hasSchema: false },
        ],
      },
      { name: 'mailer', methods: [{ name: 'send', hasSchema: false }] },
    ]);
  });

  it.each([
    ['App\\Services\\SomeClass', 'constructor'],
    ['App\\Services\\SomeClass', 'toString'],
    ['App\\Services\\SomeClass', 'prefix'],
    ['mailer', 'call'],
    ['mailer', 'bind'],
    ['mailer', 'apply'],
    ['mailer', 'hasOwnProperty'],
    ['mailer', 'valueOf'],
    ['mailer', '__proto__'],
    ['mailer', '__defineGetter__'],
    ['mailer', 'sent'],
    ['mailer', 'nope'],
    ['__proto__', 'x'],
    ['constructor', 'name'],
    ['toString', 'call'],
    ['hasOwnProperty', 'call'],
    ['nobody', 'send'],
  ])('refuses to resolve %s.%s', (name, method) => {
    expect(() => registry.resolve(name, method)).toThrow(UnknownHandlerError);
  });

  it('says whether the handler or the method is unknown', () => {
    expect(() => registry.resolve('nobody', 'send')).toThrow(
      expect.objectContaining({ handler: 'nobody', method: undefined }),
    );
    expect(() => registry.resolve('mailer', 'nope')).toThrow(
      expect.objectContaining({ handler: 'mailer', method: 'nope' }),
    );
  });

  it('admits backslashed, dotted and slashed handler names', () => {
    const noop = { run: () => undefined };
    const names = ['App\\Jobs\\Run', 'reports.daily', 'billing/invoices', '$x', '_y'];
    const many = defineHandlers(Object.fromEntries(names.map((name) => [name, noop])));
    expect(many.list().map((info) => info.name)).toEqual(names);
  });

  it.each([
    ['constructor'],
    ['__proto__'],
    ['prototype'],
    ['toString'],
    ['hasOwnProperty'],
    ['__defineGetter__'],
    ['1abc'],
    ['a..b'],
    ['a\\'],
    ['has space'],
    ['a-b'],
    [''],
    ['x'.repeat(201)],
  ])('refuses the handler name %j at define time', (name) => {
    const definitions = { [name]: { run: () => undefined } };
    expect(fieldOf(() => defineHandlers(definitions))).toBe(`handlers.${name}`);
  });

  it('refuses handlers that are not objects or have no methods', () => {
    expect(fieldOf(() => defineHandlers({ empty: {} }))).toBe('handlers.empty');
    expect(fieldOf(() => defineHandlers({ fn: () => 1 }))).toBe('handlers.fn');
    expect(fieldOf(() => defineHandlers({ list: [() => 1] }))).toBe('handlers.list');
  });

  it('inspects handlers without invoking getters', () => {
    let invoked = 0;
    class Sneaky {
      get trap(): () => void {
        invoked++;
        return () => undefined;
      }
      run(): string {
        return 'ran';
      }
    }
    const plain = {
      get lazy() {
        invoked++;
        return () => undefined;
      },
      work: () => 'worked',
    };
    const registry = defineHandlers({ sneaky: new Sneaky(), plain });
    expect(invoked).toBe(0);
    expect(registry.list().map((info) => info.methods.map((m) => m.name))).toEqual([
      ['run'],
      ['work'],
    ]);
    expect(() => registry.resolve('sneaky', 'trap')).toThrow(UnknownHandlerError);
    expect(invoked).toBe(0);
  });

  it('lets an own non-function property hide a method of the same name on the class', () => {
    class Service {
      run(): string {
        return 'ran';
      }
    }
    const service = Object.assign(new Service(), { run: 'shadowed' });
    expect(fieldOf(() => defineHandlers({ service }))).toBe('handlers.service');
  });

  it('ignores symbol-keyed and invalidly named functions', () => {
    const odd = { [Symbol('s')]: () => 1, 'send-mail': () => 2, ok: () => 3 };
    const registry = defineHandlers({ odd });
    expect(registry.list()[0]?.methods.map((m) => m.name)).toEqual(['ok']);
  });

  it('fixes the allow-list at define time', () => {
    const target: Record<string, () => string> = { first: () => 'first' };
    const registry = defineHandlers({ target });
    target.later = () => 'later';
    expect(() => registry.resolve('target', 'later')).toThrow(UnknownHandlerError);
  });
});

describe('handler', () => {
  const schemas = { send: z.tuple([z.email(), z.string().min(1)]) };
  const registry = defineHandlers({
    mailer: handler(mailer, { schemas, isolate: { module: './mailer.js', exportName: 'mailer' } }),
  });

  it('is seen through by the registry, which keeps the schema and isolation', () => {
    const resolved = registry.resolve('mailer', 'send');
    expect(resolved.schema).toBe(schemas.send);
    expect(resolved.isolate).toEqual({ module: './mailer.js', exportName: 'mailer' });
    expect(resolved.call(['x@y.io', 'Hello'])).toBe('ok');
    expect(registry.list()).toEqual([
      {
        name: 'mailer',
        methods: [{ name: 'send', hasSchema: true, schema: schemas.send }],
        isolate: { module: './mailer.js', exportName: 'mailer' },
      },
    ]);
  });

  it('gives a schema that validates params', async () => {
    const schema = registry.resolve('mailer', 'send').schema!;
    expect(await schema['~standard'].validate(['x@y.io', 'Hi'])).toEqual({
      value: ['x@y.io', 'Hi'],
    });
    const failed = await schema['~standard'].validate(['not-an-email', 'Hi']);
    expect(failed.issues?.[0]?.path).toEqual([0]);
  });

  it('refuses a schema for a method the handler does not have', () => {
    const loose = { nope: z.tuple([]) } as unknown as Record<string, never>;
    expect(fieldOf(() => defineHandlers({ mailer: handler(mailer, { schemas: loose }) }))).toBe(
      'handlers.mailer.schemas.nope',
    );
  });

  it('refuses a schema that is not a Standard Schema', () => {
    const bad = { send: { parse: () => [] } } as unknown as Record<string, never>;
    expect(fieldOf(() => defineHandlers({ mailer: handler(mailer, { schemas: bad }) }))).toBe(
      'handlers.mailer.schemas.send',
    );
  });

  it('refuses isolation without a module', () => {
    const isolate = { module: '' };
    expect(fieldOf(() => defineHandlers({ mailer: handler(mailer, { isolate }) }))).toBe(
      'handlers.mailer.isolate.module',
    );
  });
});
