import { EventEmitter } from 'node:events';

// Handler classes for allow-list tests (the library, the API, the CLI and the worker use the
// same ones): handlers that inherit from built-in classes, a TypeScript `private` helper, and an
// application class hierarchy whose inherited methods must keep running.

/** Extends EventEmitter: only `publish` is the application's. */
export class Bus extends EventEmitter {
  publish(topic: string): string {
    this.emit(topic);
    return `published ${topic}`;
  }
}

/** Extends Map: only `remember` is the application's. */
export class Cache extends Map<string, number> {
  remember(key: string): number {
    this.set(key, 1);
    return this.size;
  }
}

/** Extends Array: only `total` is the application's. */
export class Batch extends Array<number> {
  total(): number {
    return this.length;
  }
}

/** A mailer with a TypeScript `private` helper, which JavaScript cannot hide. */
export class Mailer {
  /** Who `render` ran for: the effect a test checks. */
  readonly rendered: string[] = [];

  send(to: string): string {
    return this.render(to);
  }

  private render(to: string): string {
    this.rendered.push(to);
    return `to ${to}`;
  }
}

/** The base of an application class hierarchy. */
export class BaseReport {
  header(): string {
    return 'header';
  }
}

/** Inherits `header` from an application class: it must still run. */
export class SalesReport extends BaseReport {
  build(): string {
    return `${this.header()} sales`;
  }
}
