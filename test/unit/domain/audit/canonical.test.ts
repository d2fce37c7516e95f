import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalBytes, canonicalJson } from '../../../../src/domain/audit/canonical';

/** Rebuilds every object of a JSON value with its keys inserted in a shuffled order. */
function reorderKeys(value: unknown, pick: (length: number) => number): unknown {
  if (Array.isArray(value)) return value.map((element) => reorderKeys(element, pick));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const shuffled: [string, unknown][] = [];
  while (entries.length > 0) shuffled.push(...entries.splice(pick(entries.length), 1));
  return Object.fromEntries(shuffled.map(([key, member]) => [key, reorderKeys(member, pick)]));
}

describe('canonicalJson', () => {
  it('sorts object keys and writes no whitespace', () => {
    // Prepare
    const value = { b: 1, a: [true, null, 'x'], c: { z: 0, y: -1.5 } };

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":-1.5,"z":0}}');
  });

  it('orders keys by UTF-16 code units, as RFC 8785 does', () => {
    // Prepare: the RFC 8785 §3.2.3 sorting example.
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };

    // Act
    const keys = Object.keys(JSON.parse(canonicalJson(value)) as object);
    const order = [...canonicalJson(value).matchAll(/"([^"]*)":"([^"]*)"/g)].map((match) => match[2]);

    // Assess
    expect(keys).toHaveLength(7);
    expect(order).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('serialises nested objects and arrays recursively', () => {
    // Prepare
    const value = { outer: { list: [{ b: 2, a: 1 }, [3, { d: [], c: {} }]] } };

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe('{"outer":{"list":[{"a":1,"b":2},[3,{"c":{},"d":[]}]]}}');
  });

  it('keeps Arabic text as is and encodes it as UTF-8', () => {
    // Prepare
    const value = { agency: 'وزارة التنمية الاجتماعية', note: 'حماية الطفل' };

    // Act
    const text = canonicalJson(value);
    const bytes = canonicalBytes(value);

    // Assess
    expect(text).toBe('{"agency":"وزارة التنمية الاجتماعية","note":"حماية الطفل"}');
    expect(new TextDecoder().decode(bytes)).toBe(text);
    expect(bytes.length).toBe(Buffer.byteLength(text, 'utf8'));
    expect(bytes).toBeInstanceOf(Uint8Array);
  });

  it('escapes strings and writes numbers as ECMAScript JSON.stringify does', () => {
    // Prepare
    const value = {
      s: 'quote " backslash \\ tab \t nul \u0000 line\u2028',
      n: [1e21, 1e-7, -0, 0.1, 5e-324],
    };

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe(
      '{"n":[1e+21,1e-7,0,0.1,5e-324],"s":"quote \\" backslash \\\\ tab \\t nul \\u0000 line\u2028"}',
    );
  });

  it('omits object members whose value is undefined', () => {
    // Act
    const text = canonicalJson({ a: undefined, b: 1 });

    // Assess
    expect(text).toBe('{"b":1}');
  });

  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['-Infinity', [Number.NEGATIVE_INFINITY]],
  ])('rejects the non-finite number %s', (_, value) => {
    // Act + Assess
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
  });

  it.each([
    ['undefined at the top level', undefined],
    ['undefined in an array', [1, undefined]],
    ['a hole in a sparse array', Object.assign(new Array(3), { 0: 1, 2: 3 })],
    ['a bigint', { n: 10n }],
    ['a function', { f: () => 1 }],
    ['a symbol', { s: Symbol('x') }],
    ['a Date', { at: new Date(0) }],
    ['a Map', new Map([['a', 1]])],
    ['a class instance', { v: new (class Thing {})() }],
    ['a lone surrogate in a string', { s: '\ud800' }],
    ['a lone surrogate in a key', { '\udc00': 1 }],
  ])('rejects %s', (_, value) => {
    // Act + Assess
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
  });

  it('rejects cyclic values but accepts shared (acyclic) references', () => {
    // Prepare
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const shared = { x: 1 };

    // Act + Assess
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalJsonError);
    expect(canonicalJson({ p: shared, q: [shared] })).toBe('{"p":{"x":1},"q":[{"x":1}]}');
  });

  it('accepts objects without a prototype', () => {
    // Prepare
    const value = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });

    // Act + Assess
    expect(canonicalJson(value)).toBe('{"a":1,"b":2}');
  });

  it('names the offending path in the error', () => {
    // Act + Assess
    expect(() => canonicalJson({ event: { items: [1, Number.NaN] } })).toThrow(/\$\.event\.items\[1\]/);
  });

  it('produces the same bytes whatever the key insertion order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.infiniteStream(fc.nat()), (value, randomness) => {
        // Prepare
        const numbers = randomness[Symbol.iterator]();
        const shuffled = reorderKeys(value, (length) => (numbers.next().value as number) % length);

        // Act
        const original = canonicalBytes(value);
        const reordered = canonicalBytes(shuffled);

        // Assess
        expect(Buffer.from(reordered).equals(Buffer.from(original))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('parses back to an equal value (JSON round trip)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // Act
        const text = canonicalJson(value);

        // Assess
        expect(JSON.parse(text)).toStrictEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
