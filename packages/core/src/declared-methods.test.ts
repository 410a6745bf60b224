import { AsyncResource } from 'node:async_hooks';
import { ChildProcess } from 'node:child_process';
import { EventEmitter, EventEmitterAsyncResource } from 'node:events';
import { Server as HttpServer } from 'node:http';
import { createServer, Socket } from 'node:net';
import { Duplex, Readable, Transform, Writable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { declaredMethods, isNativeFunction, isPlatformPrototype } from './declared-methods.js';
import { Batch, Bus, Cache } from './testing/allowlist-fixtures.js';

/** The names `declaredMethods` admits on `target`. */
const names = (target: object): string[] => [...declaredMethods(target).keys()].sort();

class Base {
  shared(): string {
    return 'shared';
  }
}

class Middle extends Base {
  middle(): string {
    return 'middle';
  }
}

class Leaf extends Middle {
  leaf(): string {
    return 'leaf';
  }
}

describe('declaredMethods', () => {
  it('stops at EventEmitter: emit, setMaxListeners and removeAllListeners are not declared', () => {
    expect(names(new Bus())).toEqual(['publish']);
  });

  it('stops at Map and Array: none of their methods are declared', () => {
    expect(names(new Cache())).toEqual(['remember']);
    // An object whose chain runs through an Array subclass (an array itself is no handler).
    expect(names(Object.create(Batch.prototype) as object)).toEqual(['total']);
  });

  it.each([
    ['Error', class extends Error {}],
    ['Promise', class extends Promise<void> {}],
    ['Set', class extends Set<string> {}],
    ['Readable', class extends Readable {}],
    ['Transform', class extends Transform {}],
    ['Writable', class extends Writable {}],
    ['Duplex', class extends Duplex {}],
    ['Socket', class extends Socket {}],
    ['http.Server', class extends HttpServer {}],
    ['ChildProcess', class extends ChildProcess {}],
    ['AsyncResource', class extends AsyncResource {}],
    ['EventEmitterAsyncResource', class extends EventEmitterAsyncResource {}],
    ['Headers', class extends Headers {}],
    // Native classes reachable from no global: known by their native constructor alone.
    ['Intl.Collator', class extends Intl.Collator {}],
    ['a Map of another realm', class extends (runInNewContext('Map') as MapConstructor) {}],
    ['EventTarget', class extends EventTarget {}],
    ['AbortController', class extends AbortController {}],
    ['URL', class extends URL {}],
    ['Uint8Array', class extends Uint8Array {}],
  ])('stops at %s', (_name, Sub) => {
    const own = Object.create(Sub.prototype as object, {
      work: { value: () => 'worked', enumerable: true },
    }) as object;
    expect(names(own)).toEqual(['work']);
  });

  it('keeps the methods of the application’s own class hierarchy', () => {
    expect(names(new Leaf())).toEqual(['leaf', 'middle', 'shared']);
  });

  it('admits a built-in method the application overrides in its own class', () => {
    class Loud extends EventEmitter {
      override emit(event: string): boolean {
        return super.emit(event.toUpperCase());
      }
    }
    expect(names(new Loud())).toEqual(['emit']);
  });

  it('admits own functions of a plain object and of a plain prototype object', () => {
    const proto = { inherited: () => 'p' };
    const obj = Object.assign(Object.create(proto) as object, { own: () => 'o' });
    expect(names(obj)).toEqual(['inherited', 'own']);
  });

  it('admits nothing from a built-in prototype given as the handler itself', () => {
    expect(names(EventEmitter.prototype)).toEqual([]);
    expect(names(Map.prototype)).toEqual([]);
    expect(names(Readable.prototype)).toEqual([]);
  });

  it('keeps TypeScript private methods, which are ordinary prototype methods at run time', () => {
    class Mailer {
      send(to: string): string {
        return this.render(to);
      }
      private render(to: string): string {
        return `to ${to}`;
      }
      #secret(): string {
        return 'hidden';
      }
      reveal(): string {
        return this.#secret();
      }
    }
    expect(names(new Mailer())).toEqual(['render', 'reveal', 'send']);
  });
});

describe('isPlatformPrototype', () => {
  it('knows engine, node: and global classes, and not the application’s', () => {
    const server = createServer();
    for (const proto of [
      Object.prototype,
      Array.prototype,
      Map.prototype,
      EventEmitter.prototype,
      Readable.prototype,
      Object.getPrototypeOf(server) as object,
      Headers.prototype,
    ]) {
      expect(isPlatformPrototype(proto)).toBe(true);
    }
    for (const proto of [Bus.prototype, Leaf.prototype, Base.prototype, {}]) {
      expect(isPlatformPrototype(proto)).toBe(false);
    }
  });
});

describe('the scan of node: modules', () => {
  const loadedModules = (): readonly string[] =>
    (process as unknown as { moduleLoadList: readonly string[] }).moduleLoadList;

  it('leaves repl (and the domain module it loads) unloaded, and stops at its classes once loaded', async () => {
    expect(names(new Leaf())).toEqual(['leaf', 'middle', 'shared']);
    // Loading repl loads domain, which routes every emit of the process through its own.
    expect(loadedModules()).not.toContain('NativeModule repl');
    expect(loadedModules()).not.toContain('NativeModule domain');
    const { REPLServer } = await import('node:repl');
    // An object on REPLServer's chain (its constructor is private to TypeScript).
    const own = Object.create(REPLServer.prototype as object, {
      work: { value: () => 'worked', enumerable: true },
    }) as object;
    // REPLServer's own methods (defineCommand, displayPrompt, ...) and readline's are not declared.
    expect(names(own)).toEqual(['work']);
  });
});

describe('isNativeFunction', () => {
  it('tells engine functions from the application’s, and fails closed on bound ones', () => {
    expect(isNativeFunction(Map)).toBe(true);
    expect(isNativeFunction(Leaf)).toBe(false);
    expect(isNativeFunction(function named() {})).toBe(false);
    expect(isNativeFunction(Leaf.bind(null))).toBe(true);
    expect(isNativeFunction('{ [native code] }')).toBe(false);
  });
});
