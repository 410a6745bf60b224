import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readArity, tokenize } from './parameters.js';

/** A template placeholder's `$`, kept apart so the sources below stay plain strings. */
const $ = '$';

/** Compiles `source` as a function expression (the way a bundler or tsc would emit it). */
const compile = (source: string) =>
  new Function(`return (${source});`)() as (...args: never) => unknown;

describe('readArity', () => {
  it.each([
    ['function (a, b) {}', { min: 2, max: 2, names: ['a', 'b'] }],
    ['async function named(a) { return a; }', { min: 1, max: 1, names: ['a'] }],
    ['function* gen(a, ...rest) {}', { min: 1, max: null, names: ['a', '...rest'] }],
    ['(a, b) => a + b', { min: 2, max: 2, names: ['a', 'b'] }],
    ['a => a', { min: 1, max: 1, names: ['a'] }],
    ['async a => a', { min: 1, max: 1, names: ['a'] }],
    ['async (a, b = 1) => a', { min: 1, max: 2, names: ['a', 'b?'] }],
    ['() => 1', { min: 0, max: 0, names: [] }],
    ['function (a, b,) {}', { min: 2, max: 2, names: ['a', 'b'] }],
    ['function (a = 1, b) {}', { min: 2, max: 2, names: ['a?', 'b'] }],
    ['function (a, b = \')\', c = "(,") {}', { min: 1, max: 3, names: ['a', 'b?', 'c?'] }],
    [
      `function (a, b = \`${$}{"}"}(${$}{\`,\`})\`, c) {}`,
      { min: 3, max: 3, names: ['a', 'b?', 'c'] },
    ],
    ['function (a, b = /[)/]/g, c = 1) {}', { min: 1, max: 3, names: ['a', 'b?', 'c?'] }],
    ['function (a, b = f(1, (2)), c = [1, 2]) {}', { min: 1, max: 3, names: ['a', 'b?', 'c?'] }],
    [
      'function ({ to, cc = [] }, [first]) {}',
      { min: 2, max: 2, names: ['{ to, cc = [] }', '[first]'] },
    ],
    ['function ({ a } = {}, ...[b, c]) {}', { min: 0, max: null, names: ['{ a }?', '...[b, c]'] }],
    ['function (a /* , b */, // c,\n d) {}', { min: 2, max: 2, names: ['a', 'd'] }],
    ['function () { return arguments.length; }', { min: 0, max: null, names: [] }],
    ['function (a) { return this.arguments; }', { min: 1, max: 1, names: ['a'] }],
  ])('reads %s', (source, expected) => {
    expect(readArity(compile(source))).toEqual(expected);
  });

  it('reads class and object methods, static, async, generators and computed names', () => {
    class Service {
      async someMethod(param1: string, param2: number): Promise<string> {
        return `${param1}${param2}`;
      }
      static *stream(from: number, to = 10): Generator<number> {
        yield from + to;
      }
    }
    const computed = compile('({ ["a(" + "b"](x, y) { return x + y; } })') as unknown as Record<
      string,
      (...args: never) => unknown
    >;
    expect(readArity(new Service().someMethod)).toEqual({
      min: 2,
      max: 2,
      names: ['param1', 'param2'],
    });
    expect(readArity(Service.stream)).toEqual({ min: 1, max: 2, names: ['from', 'to?'] });
    expect(readArity(computed['a(b'] as (...args: never) => unknown)).toEqual({
      min: 2,
      max: 2,
      names: ['x', 'y'],
    });
  });

  it('keeps only what is certain when the source cannot be read', () => {
    const add = (a: number, b: number, c: number) => a + b + c;
    expect(readArity(add.bind(null, 1))).toEqual({ min: 2, max: null, names: null });
    expect(readArity(Math.max)).toEqual({ min: 2, max: null, names: null });
    expect(readArity(new Proxy(add, {}))).toEqual({ min: 3, max: null, names: null });
  });

  it('agrees with Function.length and counts every parameter (property)', () => {
    const defaultValue = fc.constantFrom(
      '1',
      "')'",
      '"a,b"',
      `\`${$}{1 + (2)}\``,
      '/[,)]/g',
      '(1, 2)',
      '[1, [2]]',
      '{ k: (1) }',
      'x => (x)',
      'function () { return ")"; }',
      '/* ) */ 3',
    );
    type Kind = 'plain' | 'defaulted';
    // Each parameter is written from its index, so names never repeat.
    const param = fc.oneof(
      fc.constant((i: number) => ({ text: `p${i}`, kind: 'plain' as Kind })),
      defaultValue.map((v) => (i: number) => ({ text: `d${i} = ${v}`, kind: 'defaulted' as Kind })),
      fc.constant((i: number) => ({ text: `{ q${i}, r${i} = ")" }`, kind: 'plain' as Kind })),
      fc.constant((i: number) => ({ text: `[s${i}, , t${i}]`, kind: 'plain' as Kind })),
    );
    fc.assert(
      fc.property(fc.array(param, { maxLength: 6 }), fc.boolean(), (makers, rest) => {
        const params = makers.map((make, i) => make(i));
        const list = [...params.map((p) => p.text), ...(rest ? ['...more'] : [])];
        const fn = compile(`function (${list.join(', ')}) {}`);
        const arity = readArity(fn);
        const lastPlain = params.map((p) => p.kind).lastIndexOf('plain');
        expect(arity.min).toBe(lastPlain + 1);
        expect(arity.min).toBeGreaterThanOrEqual(fn.length);
        expect(arity.max).toBe(rest ? null : params.length);
        expect(arity.names).toHaveLength(list.length);
      }),
    );
  });
});

describe('tokenize', () => {
  it('keeps strings, templates and regexes whole and drops comments', () => {
    expect(
      tokenize(`a(/* x */ "b,c", \`d${$}{ {e: "}"} }f\`, /g)h/i) // z`)?.map((t) => t.text),
    ).toEqual(['a', '(', '"b,c"', ',', `\`d${$}{ {e: "}"} }f\``, ',', '/g)h/i', ')']);
  });

  it('gives up on text it cannot follow', () => {
    expect(tokenize('f("open')).toBeNull();
    expect(tokenize(`f(\`open ${$}{`)).toBeNull();
    expect(tokenize('/* open')).toBeNull();
  });
});
