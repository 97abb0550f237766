import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../shared/index.js';
import { formatJsonPointer, parseArrayIndex, parseJsonPointer } from '../../server/sync/json-pointer.js';

describe('parseJsonPointer (RFC 6901)', () => {
  // RFC 6901 §5 examples.
  it.each([
    ['', []],
    ['/foo', ['foo']],
    ['/foo/0', ['foo', '0']],
    ['/', ['']],
    ['/a~1b', ['a/b']],
    ['/c%d', ['c%d']],
    ['/e^f', ['e^f']],
    ['/g|h', ['g|h']],
    ['/i\\j', ['i\\j']],
    ['/k"l', ['k"l']],
    ['/ ', [' ']],
    ['/m~0n', ['m~n']],
    ['/~01', ['~1']],
    ['/a//b', ['a', '', 'b']],
  ])('parses %j as %j', (pointer, tokens) => {
    expect(parseJsonPointer(pointer)).toStrictEqual(tokens);
    expect(formatJsonPointer(tokens)).toBe(pointer);
  });

  it.each([['a'], ['/a~'], ['/a~2'], ['/__proto__'], [3], [undefined]])('refuses %j', (pointer) => {
    expect(() => parseJsonPointer(pointer)).toThrow(InvalidArgumentError);
  });
});

describe('parseArrayIndex', () => {
  it('accepts 0 and numbers without leading zeros only', () => {
    expect(parseArrayIndex('0')).toBe(0);
    expect(parseArrayIndex('42')).toBe(42);
    for (const token of ['01', '-', '-1', '1.0', '', ' 1', '1e3']) expect(parseArrayIndex(token)).toBeUndefined();
  });
});
