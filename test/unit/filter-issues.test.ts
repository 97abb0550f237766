import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { FILTER_CONDITIONS_HELP, filterIssues, InvalidArgumentError, parseInput, subscribeRequestSchema } from '../../shared/index.js';

describe('filterIssues', () => {
  it('accepts equality, in and like conditions, dotted keys, and no keys at all', () => {
    expect(filterIssues({})).toEqual([]);
    expect(filterIssues({ a: 1, b: 'x', c: true, d: null, 'room.id': { in: [1, 'two', false, null] }, id: { like: 'riders/*' } })).toEqual([]);
  });

  it('says that an array is not a value, and suggests { in: [...] }', () => {
    expect(filterIssues({ campusId: [12, 15] })).toEqual([
      { path: ['campusId'], message: `${FILTER_CONDITIONS_HELP}; an array is not a value: did you mean { in: [12, 15] }?` },
    ]);
  });

  it('says that there are no comparison operators, and how to reach a nested field', () => {
    expect(filterIssues({ x: { gt: 1 } })).toEqual([
      {
        path: ['x'],
        message: `${FILTER_CONDITIONS_HELP}; "gt" is not an operator (there are no comparisons), and a nested field is matched with a dotted key such as "x.gt"`,
      },
    ]);
  });

  it.each([
    ['an empty condition object', { a: {} }, ['a'], /\{\} has no operator/],
    ['in and like together', { a: { in: [1], like: 'x' } }, ['a'], /one operator, not both/],
    ['in that is not an array', { a: { in: 3 } }, ['a', 'in'], /"in" must be an array of 1 to 100/],
    ['an empty in', { a: { in: [] } }, ['a', 'in'], /at least one value/],
    ['an in over 100 values', { a: { in: Array.from({ length: 101 }, (_, i) => i) } }, ['a', 'in'], /at most 100 values/],
    ['an object inside in', { a: { in: [1, { b: 2 }] } }, ['a', 'in', 1], /arrays and objects are not values/],
    ['a like that is not a string', { a: { like: 3 } }, ['a', 'like'], /"like" must be a string pattern/],
    ['an empty like', { a: { like: '' } }, ['a', 'like'], /must not be empty/],
    ['a like over 512 characters', { a: { like: 'x'.repeat(513) } }, ['a', 'like'], /at most 512 characters/],
    ['a string over 1024 characters', { a: 'x'.repeat(1025) }, ['a'], /strings are at most 1024/],
    ['a number that is not finite', { a: Number.POSITIVE_INFINITY }, ['a'], /finite/],
    ['undefined', { a: undefined }, ['a'], /undefined is not a value/],
    ['a function', { a: () => 1 }, ['a'], /a function is not a value/],
    ['an empty key segment', { 'a..b': 1 }, ['a..b'], /dotted paths/],
    ['an empty key', { '': 1 }, [''], /dotted paths/],
  ])('refuses %s, naming where and what is allowed', (_label, filter, path, message) => {
    const [issue, ...rest] = filterIssues(filter);
    expect(rest).toEqual([]);
    expect(issue?.path).toEqual(path);
    expect(issue?.message).toMatch(message);
  });

  it('refuses a filter that is not an object, and more than 20 keys', () => {
    for (const filter of [null, 'x', [1], 3]) expect(filterIssues(filter)).toEqual([{ path: [], message: 'filter must be an object of field → condition' }]);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]));
    expect(filterIssues(many)).toEqual([{ path: [], message: 'filter may have at most 20 keys' }]);
  });

  it('reports at most 10 issues', () => {
    expect(filterIssues({ a: { in: Array.from({ length: 50 }, () => [1]) } })).toHaveLength(10);
  });
});

describe('the server subscribe schema', () => {
  it('reports the same message as the client check, with the key in the path, instead of "Invalid input"', () => {
    let caught: unknown;
    try {
      parseInput(subscribeRequestSchema, { topic: 'a.b', filter: { campusId: [12, 15] } }, 'subscribe');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    const [issue] = filterIssues({ campusId: [12, 15] });
    expect((caught as InvalidArgumentError).message).toBe(`Invalid subscribe: filter.campusId: ${issue?.message}`);
    expect((caught as InvalidArgumentError).details).toEqual({ issues: [{ path: 'filter.campusId', message: issue?.message }] });
  });

  it('passes a valid filter through unchanged', () => {
    const filter = { a: 1, b: { in: ['x'] }, id: { like: 'riders/*' } };
    expect(v.parse(subscribeRequestSchema, { topic: 'a.b', filter }).filter).toEqual(filter);
  });
});
