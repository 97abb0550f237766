import { describe, expect, it } from 'vitest';
import { decodeKey, decodeMongoData, encodeKey, encodeMongoData } from '../../server/sync/mongo-data-codec.js';

describe('mongo-data-codec', () => {
  it.each([
    ['plain', 'plain'],
    ['example.com', 'example%2Ecom'],
    ['$ref', '%24ref'],
    ['a$b', 'a$b'],
    ['100%', '100%25'],
    ['%2E', '%252E'],
    ['%24', '%2524'],
    ['$%.', '%24%25%2E'],
    ['nul\u0000', 'nul%00'],
    ['', ''],
    ['%A', '%25A'],
  ])('escapes the key %j as %j and back', (key, stored) => {
    expect(encodeKey(key)).toBe(stored);
    expect(decodeKey(stored)).toBe(key);
  });

  it('never produces a key MongoDB or FerretDB refuse', () => {
    const keys = ['.', '..', '$', '$$', '.$', 'a.b.c', '$a.$b', '\u0000', '%', '%%2E', '$%24'];
    for (const key of keys) {
      const stored = encodeKey(key);
      expect(stored.startsWith('$')).toBe(false);
      expect(stored).not.toMatch(/[.\u0000]/);
      expect(decodeKey(stored)).toBe(key);
    }
  });

  it('round-trips data with tricky keys at every depth and arrays nested in arrays', () => {
    const data = {
      'a.b': [{ $x: { 'c.d': [1, [2, [3, { 'e.f': [[]] }]]] } }],
      '%A': ['not', 'a', 'wrapper'],
      wrapperLike: { '%A': [1] },
      matrix: [
        [1, 2],
        [3, 4],
      ],
      __proto__x: 1,
    };
    const stored = encodeMongoData(data);
    expect(JSON.stringify(stored)).not.toMatch(/"\$|\.[^"]*":/);
    expect(decodeMongoData(stored)).toStrictEqual(data);
  });

  it('stores inner arrays wrapped in { "%A": [...] } and leaves other values alone', () => {
    expect(encodeMongoData({ m: [[1], 2, 'x', null, { k: [[true]] }] })).toStrictEqual({
      m: [{ '%A': [1] }, 2, 'x', null, { k: [{ '%A': [true] }] }],
    });
  });

  it('keeps a decoded "__proto__" key an own property', () => {
    const decoded = decodeMongoData(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.keys(decoded)).toStrictEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
