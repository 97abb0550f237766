import { describe, expect, it } from 'vitest';
import { pathTokens, valueAt, withValueAt } from '../../client/deepstream/record-path.js';
import { InvalidArgumentError } from '../../shared/index.js';

describe('deepstream record paths', () => {
  it('reads dot and bracket paths', () => {
    expect(pathTokens('personalData.firstname')).toEqual(['personalData', 'firstname']);
    expect(pathTokens('children[1].names[0]')).toEqual(['children', 1, 'names', 0]);
    const data = { personalData: { firstname: 'Lisa' }, children: ['Tom', 'Ann'] };
    expect(valueAt(data, 'personalData.firstname')).toBe('Lisa');
    expect(valueAt(data, 'children[1]')).toBe('Ann');
    expect(valueAt(data, 'missing.deeper')).toBeUndefined();
    expect(valueAt(data, undefined)).toBe(data);
  });

  it('writes a copy, creating missing nodes: arrays when the next token is numeric', () => {
    const data = { a: 1 };
    expect(withValueAt(data, 'b.c[0].d', 'x')).toEqual({ a: 1, b: { c: [{ d: 'x' }] } });
    expect(data).toEqual({ a: 1 });
    expect(withValueAt({ list: [1, 2, 3] }, 'list[1]', undefined)).toEqual({ list: [1, 3] });
    expect(withValueAt({ a: { b: 1, c: 2 } }, 'a.b', undefined)).toEqual({ a: { c: 2 } });
    expect(withValueAt({ a: 'scalar' }, 'a.b', 1)).toEqual({ a: { b: 1 } });
  });

  it('refuses malformed paths', () => {
    for (const path of ['', 'a..b', 'a[x]', 'a]b', '[']) expect(() => pathTokens(path)).toThrow(InvalidArgumentError);
  });
});
