import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from './client.js';
import { UnknownHandlerError } from './errors.js';
import { defineHandlers, handler } from './handlers.js';
import type { JobStore } from './store.js';
import { validationFieldOf } from './testing/validation.js';

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
          { name: 'name', hasSchema: false, arity: { min: 0, max: 0, names: [] } },
          { name: 'greet', hasSchema: false, arity: { min: 1, max: 1, names: ['who'] } },
          { name: 'inherited', hasSchema: false, arity: { min: 0, max: 0, names: [] } },
        ],
      },
      {
        name: 'mailer',
        methods: [
          { name: 'send', hasSchema: false, arity: { min: 2, max: 2, names: ['to', 'subject'] } },
        ],
      },
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
    expect(validationFieldOf(() => defineHandlers(definitions))).toBe(`handlers.${name}`);
  });

  it('refuses handlers that are not objects or have no methods', () => {
    expect(validationFieldOf(() => defineHandlers({ empty: {} }))).toBe('handlers.empty');
    expect(validationFieldOf(() => defineHandlers({ fn: () => 1 }))).toBe('handlers.fn');
    expect(validationFieldOf(() => defineHandlers({ list: [() => 1] }))).toBe('handlers.list');
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
    expect(validationFieldOf(() => defineHandlers({ service }))).toBe('handlers.service');
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
        methods: [
          {
            name: 'send',
            hasSchema: true,
            schema: schemas.send,
            // Isolated: its code runs from the module, so the count is not known here.
            arity: { min: 0, max: null, names: null },
          },
        ],
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
    expect(
      validationFieldOf(() => defineHandlers({ mailer: handler(mailer, { schemas: loose }) })),
    ).toBe('handlers.mailer.schemas.nope');
  });

  it('refuses a schema that is not a Standard Schema', () => {
    const bad = { send: { parse: () => [] } } as unknown as Record<string, never>;
    expect(
      validationFieldOf(() => defineHandlers({ mailer: handler(mailer, { schemas: bad }) })),
    ).toBe('handlers.mailer.schemas.send');
  });

  it('refuses isolation without a module', () => {
    const isolate = { module: '' };
    expect(validationFieldOf(() => defineHandlers({ mailer: handler(mailer, { isolate }) }))).toBe(
      'handlers.mailer.isolate.module',
    );
  });
});

class Bus extends EventEmitter {
  publish(topic: string): boolean {
    return this.emit(topic, topic);
  }
}

class Cache extends Map<string, number> {
  remember(key: string): number {
    this.set(key, (this.get(key) ?? 0) + 1);
    return this.get(key) ?? 0;
  }
}

class Batch extends Array<number> {
  total(): number {
    return this.reduce((sum, n) => sum + n, 0);
  }
}

class Mailer {
  send(to: string): string {
    return this.render(to);
  }
  private render(to: string): string {
    return `rendered for ${to}`;
  }
}

/** A store that records every call; the client must refuse before calling it. */
function recordingStore(calls: string[]): JobStore {
  return new Proxy({} as JobStore, {
    get: (_target, name) => () => {
      calls.push(String(name));
      return Promise.reject(new Error(`store.${String(name)} must not be called`));
    },
  });
}

describe('the allow-list and built-in classes', () => {
  const bus = new Bus();
  const batch = Object.create(Batch.prototype) as Batch;
  const registry = defineHandlers({ bus, cache: new Cache(), batch, mailer: new Mailer() });

  it.each([
    ['bus', ['emit', 'setMaxListeners', 'removeAllListeners', 'on', 'addListener', 'listeners']],
    ['cache', ['set', 'get', 'delete', 'clear', 'has', 'forEach', 'entries', 'keys', 'values']],
    ['batch', ['push', 'pop', 'splice', 'fill', 'copyWithin', 'sort', 'reverse', 'join', 'map']],
  ])('refuses the methods %s inherits from a built-in class', (name, inherited) => {
    for (const method of inherited) {
      expect(() => registry.resolve(name, method), method).toThrow(UnknownHandlerError);
    }
    const listed = registry.list().find((info) => info.name === name);
    expect(listed?.methods.map((m) => m.name)).toEqual([
      { bus: 'publish', cache: 'remember', batch: 'total' }[name],
    ]);
  });

  it('does not let a job change the handler through setMaxListeners', () => {
    expect(() => registry.resolve('bus', 'setMaxListeners')).toThrow(
      expect.objectContaining({ handler: 'bus', method: 'setMaxListeners' }),
    );
    expect(bus.getMaxListeners()).toBe(EventEmitter.defaultMaxListeners);
  });

  it('still runs the handler’s own methods, which may use the inherited ones', () => {
    const seen: unknown[] = [];
    bus.on('news', (topic) => seen.push(topic));
    expect(registry.resolve('bus', 'publish').call(['news'])).toBe(true);
    expect(seen).toEqual(['news']);
    expect(registry.resolve('cache', 'remember').call(['k'])).toBe(1);
  });

  it('runs a TypeScript private method by default: private is not enforced at run time', () => {
    expect(registry.resolve('mailer', 'render').call(['ann'])).toBe('rendered for ann');
  });

  it('refuses an inherited built-in method through client.enqueue without touching the store', async () => {
    const calls: string[] = [];
    const client = createClient(recordingStore(calls), registry);
    await expect(
      client.enqueueUntyped({ handler: 'bus', method: 'setMaxListeners', params: [99] }),
    ).rejects.toMatchObject({
      name: 'UnknownHandlerError',
      handler: 'bus',
      method: 'setMaxListeners',
      message: expect.stringMatching(/setMaxListeners/),
    });
    // The types admit emit (they cannot see where a method is declared); run time refuses it.
    await expect(client.enqueue('bus', 'emit', ['x'])).rejects.toThrow(UnknownHandlerError);
    expect(calls).toEqual([]);
    expect(bus.getMaxListeners()).toBe(EventEmitter.defaultMaxListeners);
  });
});

describe('handler(target, { methods })', () => {
  const mailer = new Mailer();
  const registry = defineHandlers({ mailer: handler(mailer, { methods: ['send'] }) });

  it('runs only the listed methods: a private helper is refused', () => {
    expect(registry.resolve('mailer', 'send').call(['ann'])).toBe('rendered for ann');
    expect(() => registry.resolve('mailer', 'render')).toThrow(UnknownHandlerError);
    expect(registry.list()).toEqual([
      {
        name: 'mailer',
        methods: [{ name: 'send', hasSchema: false, arity: { min: 1, max: 1, names: ['to'] } }],
      },
    ]);
  });

  it('keeps schemas for listed methods and refuses one for a method left out', () => {
    const schema = z.tuple([z.string()]);
    const listed = defineHandlers({
      mailer: handler(mailer, { methods: ['send'], schemas: { send: schema } }),
    });
    expect(listed.resolve('mailer', 'send').schema).toBe(schema);
    const loose = { methods: ['send'], schemas: { render: schema } } as never;
    expect(validationFieldOf(() => defineHandlers({ mailer: handler(mailer, loose) }))).toBe(
      'handlers.mailer.schemas.render',
    );
  });

  it.each([
    [{ methods: ['send', 'nope'] }, 'handlers.mailer.methods.1', /"nope" is not a method/],
    [{ methods: ['toString'] }, 'handlers.mailer.methods.0', /"toString"/],
    [{ methods: ['send', 'send'] }, 'handlers.mailer.methods.1', /listed twice/],
    [{ methods: [42] }, 'handlers.mailer.methods.0', /method name/],
    // biome-ignore lint/suspicious/noSparseArray: a hole is no method name either
    [{ methods: [, 'send'] }, 'handlers.mailer.methods.0', /method name/],
    [{ methods: [] }, 'handlers.mailer.methods', /non-empty array/],
    [{ methods: 'send' }, 'handlers.mailer.methods', /non-empty array/],
  ])('refuses %j naming the field', (options, field, message) => {
    const run = () => defineHandlers({ mailer: handler(mailer, options as never) });
    expect(validationFieldOf(run)).toBe(field);
    expect(run).toThrow(message);
  });

  it('refuses a built-in method even when listed', () => {
    const run = () => defineHandlers({ bus: handler(new Bus(), { methods: ['publish', 'emit'] }) });
    expect(validationFieldOf(run)).toBe('handlers.bus.methods.1');
    expect(run).toThrow(/"emit" is not a method this handler declares/);
  });
});
