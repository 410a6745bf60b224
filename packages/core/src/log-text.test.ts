import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLogText, quoteLogText, showLogText } from './log-text.js';

/** Anything a terminal, a line reader or a bidi renderer would act on. */
const UNSAFE_SEEN = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;

/** Any UTF-16 text: code units drawn freely, so lone surrogates and controls come up often. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(fc.integer({ min: 0, max: 0xffff })).map((units) => String.fromCharCode(...units)),
  fc
    .array(fc.constantFrom('\\', '"', 'u', '0', '\r', '\n', '\x1b', '\u0085', '\u2028', 'a', ' '))
    .map((chars) => chars.join('')),
);

describe('log text', () => {
  it('escapes every control, separator, lone surrogate and bidi control, readably', () => {
    expect(escapeLogText('a\rb\x1b[2J\vc\u0085d\u2028e\u2029f\0g\x07h\x7fi')).toBe(
      'a\\rb\\u001b[2J\\u000bc\\u0085d\\u2028e\\u2029f\\u0000g\\u0007h\\u007fi',
    );
    expect(escapeLogText('\ud83d x \udc00 \u202eevil\u202c \u2066')).toBe(
      '\\ud83d x \\udc00 \\u202eevil\\u202c \\u2066',
    );
    expect(escapeLogText('line\nnext\ttab\fform\bback')).toBe('line\\nnext\\ttab\\fform\\bback');
  });

  it('escapes a backslash, so text cannot spell an escape; leaves other text alone', () => {
    expect(escapeLogText('App\\Services\\Mailer')).toBe('App\\\\Services\\\\Mailer');
    expect(escapeLogText('a literal \\u001b')).toBe('a literal \\\\u001b');
    expect(escapeLogText('plain "quoted" é ✓ 😀')).toBe('plain "quoted" é ✓ 😀');
  });

  it('quotes as a JSON string literal that gives back the exact text', () => {
    expect(quoteLogText('say "hi"\r\n')).toBe('"say \\"hi\\"\\r\\n"');
    fc.assert(
      fc.property(anyText, (text) => {
        const quoted = quoteLogText(text);
        expect(JSON.parse(quoted)).toBe(text);
        expect(UNSAFE_SEEN.test(quoted)).toBe(false);
        expect(quoted.slice(1, -1)).not.toMatch(/(^|[^\\])(\\\\)*"/);
      }),
    );
  });

  it('shows any line without unsafe characters and leaves escaped text as it is', () => {
    expect(showLogText('old \x1b[31mred\x1b[0m line\r')).toBe(
      'old \\u001b[31mred\\u001b[0m line\\r',
    );
    expect(showLogText('C:\\path \\u001b')).toBe('C:\\path \\u001b');
    fc.assert(
      fc.property(anyText, (text) => {
        expect(UNSAFE_SEEN.test(showLogText(text))).toBe(false);
        expect(UNSAFE_SEEN.test(escapeLogText(text))).toBe(false);
        expect(showLogText(escapeLogText(text))).toBe(escapeLogText(text));
      }),
    );
  });
});
