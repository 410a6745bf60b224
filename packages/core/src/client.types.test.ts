import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from './client.js';
import type { HandlerTargets, MethodName, MethodParams } from './handler-types.js';
import { defineHandlers, handler } from './handlers.js';
import type { JobStore } from './store.js';

// Compile-time checks: `pnpm typecheck` fails if a good call stops compiling or a bad call
// (marked @ts-expect-error) starts compiling. The calls are never run.

type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_proof: T): void => undefined;

class Base {
  inherited(): void {}
}

class SomeClass extends Base {
  readonly prefix = 'x';
  handle(userId: number, note?: string): string {
    return `${userId}${note ?? ''}`;
  }
  override toString(): string {
    return 'SomeClass';
  }
}

const mailer = { send: (to: string, subject: string): void => void [to, subject], count: 3 };

const registry = defineHandlers({
  'App\\Services\\SomeClass': new SomeClass(),
  mailer: handler(mailer, { schemas: { send: z.tuple([z.email(), z.string()]) } }),
  reports: { rebuild: () => 'done' },
});

assertType<Equal<MethodName<SomeClass>, 'handle' | 'inherited'>>(true);
assertType<Equal<MethodName<typeof mailer>, 'send'>>(true);
assertType<Equal<MethodParams<SomeClass, 'handle'>, [userId: number, note?: string | undefined]>>(
  true,
);
assertType<
  Equal<HandlerTargets<{ m: ReturnType<typeof handler<typeof mailer>> }>, { m: typeof mailer }>
>(true);

function typeChecks(store: JobStore): void {
  const client = createClient(store, registry);

  // Good calls compile.
  void client.enqueue('mailer', 'send', ['a@b.io', 'Hi']);
  void client.enqueue('mailer', 'send', ['a@b.io', 'Hi'] as const, { priority: 5, delay: 1.5 });
  void client.enqueue('App\\Services\\SomeClass', 'handle', [1]);
  void client.enqueue('App\\Services\\SomeClass', 'handle', [1, 'note'], { runAt: new Date() });
  void client.enqueue('App\\Services\\SomeClass', 'inherited', []);
  void client.enqueue('reports', 'rebuild', []);
  void client.runBackgroundJob('reports', 'rebuild');
  void client.runBackgroundJob('App\\Services\\SomeClass', 'handle', [1], 10, 60);
  void client.enqueueMany([
    { handler: 'mailer', method: 'send', params: ['a@b.io', 'Hi'] },
    { handler: 'reports', method: 'rebuild', params: [], options: { queue: 'low' } },
  ]);
  void client.enqueueUntyped({ handler: 'anything', method: 'goes', params: 'checked later' });

  // Unknown handlers fail.
  // @ts-expect-error 'nobody' is not a registered handler
  void client.enqueue('nobody', 'send', []);
  // @ts-expect-error 'App\\Services\\Other' is not a registered handler
  void client.runBackgroundJob('App\\Services\\Other', 'handle', [1]);

  // Wrong method names fail.
  // @ts-expect-error 'sendMail' is not a method of mailer
  void client.enqueue('mailer', 'sendMail', ['a@b.io', 'Hi']);
  // @ts-expect-error 'count' is a number, not a method
  void client.enqueue('mailer', 'count', []);
  // @ts-expect-error 'prefix' is a property, not a method
  void client.enqueue('App\\Services\\SomeClass', 'prefix', []);
  // @ts-expect-error toString is reserved even when the class defines it
  void client.enqueue('App\\Services\\SomeClass', 'toString', []);
  // @ts-expect-error constructor is never a method
  void client.enqueue('App\\Services\\SomeClass', 'constructor', []);
  // @ts-expect-error hasOwnProperty comes from Object.prototype
  void client.enqueue('reports', 'hasOwnProperty', ['x']);

  // Wrong params fail.
  // @ts-expect-error subject must be a string
  void client.enqueue('mailer', 'send', ['a@b.io', 42]);
  // @ts-expect-error subject is missing
  void client.enqueue('mailer', 'send', ['a@b.io']);
  // @ts-expect-error one argument too many
  void client.enqueue('reports', 'rebuild', ['extra']);
  // @ts-expect-error userId must be a number
  void client.enqueue('App\\Services\\SomeClass', 'handle', ['1']);
  // @ts-expect-error params are required when the method takes arguments
  void client.runBackgroundJob('mailer', 'send');
  // @ts-expect-error the params belong to another method
  void client.enqueueMany([{ handler: 'reports', method: 'rebuild', params: ['a@b.io', 'Hi'] }]);

  // Wrong options fail.
  // @ts-expect-error priority is a number
  void client.enqueue('reports', 'rebuild', [], { priority: 'high' });
  // @ts-expect-error unknown option
  void client.enqueue('reports', 'rebuild', [], { colour: 'red' });

  // Flows: dependsOn names the flow's own keys (or existing ids), params follow each method.
  void client.enqueueFlow({
    jobs: {
      a: { handler: 'mailer', method: 'send', params: ['a@b.io', 'Hi'] },
      b: { handler: 'reports', method: 'rebuild', params: [], dependsOn: ['a', { id: '42' }] },
      c: {
        handler: 'App\\Services\\SomeClass',
        method: 'handle',
        params: [1],
        dependsOn: ['a', 'b'],
        onDependencyFailure: 'run',
      },
    },
  });
  void client.enqueue('reports', 'rebuild', [], {
    dependsOn: ['41'],
    onDependencyFailure: 'cancel',
  });
  void client
    .enqueueFlow({ jobs: { only: { handler: 'reports', method: 'rebuild', params: [] } } })
    .then(({ jobs }) => jobs.only.id);
  void client.enqueueFlow({
    // @ts-expect-error 'zz' is not a key of this flow
    jobs: { a: { handler: 'reports', method: 'rebuild', params: [], dependsOn: ['zz'] } },
  });
  void client.enqueueFlow({
    // @ts-expect-error the params belong to another method
    jobs: { a: { handler: 'reports', method: 'rebuild', params: ['x'] } },
  });
  // @ts-expect-error a policy is cancel or run
  void client.enqueue('reports', 'rebuild', [], { onDependencyFailure: 'later' });
}

// `methods` narrows a handler to the listed methods, schemas included.
class Renderer {
  send(to: string): string {
    return this.render(to);
  }
  preview(): string {
    return this.render('preview');
  }
  private render(to: string): string {
    return to;
  }
}
const narrowed = defineHandlers({
  renderer: handler(new Renderer(), {
    methods: ['send'],
    schemas: { send: z.tuple([z.string()]) },
  }),
  whole: handler(new Renderer(), { schemas: { preview: z.tuple([]) } }),
});
assertType<
  Equal<
    HandlerTargets<{ r: ReturnType<typeof handler<Renderer, 'send'>> }>,
    { r: Pick<Renderer, 'send'> }
  >
>(true);

function narrowedChecks(store: JobStore): void {
  const client = createClient(store, narrowed);
  void client.enqueue('renderer', 'send', ['a@b.io']);
  void client.enqueue('whole', 'preview', []);
  void client.enqueue('whole', 'send', ['a@b.io']);
  // @ts-expect-error preview is not among the listed methods
  void client.enqueue('renderer', 'preview', []);
  // @ts-expect-error a private method is never typed as a method
  void client.enqueue('whole', 'render', ['x']);
}

// @ts-expect-error methods may only name methods of the handler
handler(mailer, { methods: ['count'] });
// @ts-expect-error a private method cannot be listed
handler(new Renderer(), { methods: ['render'] });
// @ts-expect-error a schema for a method left out of `methods`
handler(new Renderer(), { methods: ['send'], schemas: { preview: z.tuple([]) } });

// A schema whose output does not fit the method's parameters fails.
// @ts-expect-error the schema gives [number], send takes [string, string]
handler(mailer, { schemas: { send: z.tuple([z.number()]) } });
// @ts-expect-error schemas may only name methods
handler(mailer, { schemas: { count: z.tuple([]) } });

describe('client types', () => {
  it('are checked by tsc (this file compiles)', () => {
    expect(typeof typeChecks).toBe('function');
    expect(typeof narrowedChecks).toBe('function');
  });
});
