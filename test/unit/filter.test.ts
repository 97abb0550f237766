import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { filterSchema, matchesFilter, readPath } from '../../shared/index.js';

describe('matchesFilter', () => {
  it('matches everything without a filter or with an empty one', () => {
    expect(matchesFilter(undefined, { a: 1 })).toBe(true);
    expect(matchesFilter({}, {})).toBe(true);
  });

  it('compares with strict equality', () => {
    expect(matchesFilter({ campusId: 12 }, { campusId: 12 })).toBe(true);
    expect(matchesFilter({ campusId: 12 }, { campusId: '12' })).toBe(false);
    expect(matchesFilter({ active: false }, { active: false })).toBe(true);
    expect(matchesFilter({ active: false }, { active: 0 })).toBe(false);
    expect(matchesFilter({ note: null }, { note: null })).toBe(true);
  });

  it('never matches a missing field, even against null', () => {
    expect(matchesFilter({ note: null }, {})).toBe(false);
    expect(matchesFilter({ a: 1 }, { b: 1 })).toBe(false);
  });

  it('supports in lists', () => {
    expect(matchesFilter({ kind: { in: ['lab', 'hall'] } }, { kind: 'hall' })).toBe(true);
    expect(matchesFilter({ kind: { in: ['lab', 'hall'] } }, { kind: 'office' })).toBe(false);
    expect(matchesFilter({ n: { in: [1, 2] } }, { n: '1' })).toBe(false);
  });

  it('follows dotted paths into nested objects, not into arrays', () => {
    expect(matchesFilter({ 'room.floor': 2 }, { room: { floor: 2 } })).toBe(true);
    expect(matchesFilter({ 'room.floor': 2 }, { room: { floor: 3 } })).toBe(false);
    expect(matchesFilter({ 'rooms.0': 2 }, { rooms: [2] })).toBe(false);
    expect(matchesFilter({ 'room.floor': 2 }, { room: null })).toBe(false);
  });

  it('requires every key to match (AND)', () => {
    const filter = { a: 1, 'b.c': { in: ['x'] } };
    expect(matchesFilter(filter, { a: 1, b: { c: 'x' } })).toBe(true);
    expect(matchesFilter(filter, { a: 1, b: { c: 'y' } })).toBe(false);
    expect(matchesFilter(filter, { a: 2, b: { c: 'x' } })).toBe(false);
  });

  it('supports like with the id-pattern rules of permissions and data providers', () => {
    const riders = { id: { like: 'riders/*' } };
    expect(matchesFilter(riders, { id: 'riders/7' })).toBe(true);
    expect(matchesFilter(riders, { id: 'riders/cyclists/9' })).toBe(true);
    expect(matchesFilter(riders, { id: 'riders/*' })).toBe(true);
    expect(matchesFilter(riders, { id: 'cars/1' })).toBe(false);
    expect(matchesFilter({ id: { like: 'fleet/*/van' } }, { id: 'fleet/north/van' })).toBe(true);
    expect(matchesFilter({ id: { like: 'fleet/*/van' } }, { id: 'fleet/a/b/van' })).toBe(false);
    expect(matchesFilter({ id: { like: 'riders/7' } }, { id: 'riders/7' })).toBe(true);
    expect(matchesFilter({ id: { like: 'riders/7' } }, { id: 'riders/70' })).toBe(false);
    expect(matchesFilter({ id: { like: '*' } }, { id: 'anything' })).toBe(true);
  });

  it('never matches like against a value that is not a string', () => {
    expect(matchesFilter({ n: { like: '*' } }, { n: 7 })).toBe(false);
    expect(matchesFilter({ n: { like: '*' } }, { n: null })).toBe(false);
    expect(matchesFilter({ n: { like: '*' } }, {})).toBe(false);
  });

  it('does not read inherited properties', () => {
    expect(readPath({}, 'constructor')).toBeUndefined();
    expect(matchesFilter({ toString: 'x' }, {})).toBe(false);
  });
});

describe('filterSchema', () => {
  it('accepts equality, in and like conditions', () => {
    const filter = { a: 1, b: { in: ['x', 'y'] }, id: { like: 'riders/*' } };
    expect(v.parse(filterSchema, filter)).toEqual(filter);
  });

  it.each([
    ['an empty like', { id: { like: '' } }],
    ['a like that is not a string', { id: { like: 3 } }],
    ['like mixed with in', { id: { like: 'a/*', in: ['a/1'] } }],
    ['a like over 512 characters', { id: { like: 'x'.repeat(513) } }],
    ['an unknown operator', { id: { gt: 3 } }],
  ])('refuses %s', (_label, filter) => {
    expect(v.safeParse(filterSchema, filter).success).toBe(false);
  });
});
