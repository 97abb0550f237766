import { describe, expect, it } from 'vitest';
import { matchesFilter, readPath } from '../../shared/index.js';

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

  it('does not read inherited properties', () => {
    expect(readPath({}, 'constructor')).toBeUndefined();
    expect(matchesFilter({ toString: 'x' }, {})).toBe(false);
  });
});
