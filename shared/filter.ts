import { matchesPattern } from './id-pattern.js';

/** A value a filter can compare against with strict equality. */
export type FilterPrimitive = string | number | boolean | null;

/**
 * One filter condition: equality with a primitive, membership in a list (`{ in: [...] }`), or an
 * id pattern (`{ like: 'riders/*' }`) that a string field must match, with the same rules as
 * permission and data-provider patterns (a trailing `*` matches the rest, an inner `*` segment one
 * segment).
 */
export type FilterCondition = FilterPrimitive | { in: FilterPrimitive[] } | { like: string };

/**
 * A subscription filter: every key (a payload field, or a dotted path into nested objects) must
 * match its condition.
 *
 * @example
 * const filter: SubscriptionFilter = { campusId: 12, 'room.kind': { in: ['lab', 'hall'] }, id: { like: 'riders/*' } };
 */
export type SubscriptionFilter = Record<string, FilterCondition>;

/** Most keys a filter may have. */
export const MAX_FILTER_KEYS = 20;
/** Most values an `in` list may have. */
export const MAX_FILTER_IN_VALUES = 100;
/** Longest `like` pattern. */
export const MAX_FILTER_LIKE_LENGTH = 512;
/** Longest string a filter compares against (an equality value or an `in` value). */
export const MAX_FILTER_STRING_LENGTH = 1024;
/** Longest filter key (a field name or a dotted path). */
export const MAX_FILTER_PATH_LENGTH = 200;

/**
 * Reads a dotted path (`a.b.c`) from a value; `undefined` when any step is missing.
 *
 * @example
 * readPath({ room: { id: 3 } }, 'room.id'); // 3
 */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Whether a payload satisfies a filter: all keys match (AND); a missing field never matches.
 * An empty or absent filter matches everything.
 *
 * @example
 * matchesFilter({ campusId: { in: [12, 15] } }, { campusId: 15 }); // true
 * matchesFilter({ id: { like: 'riders/*' } }, { id: 'riders/7' }); // true
 */
export function matchesFilter(filter: SubscriptionFilter | undefined, payload: unknown): boolean {
  if (filter === undefined) return true;
  for (const path in filter) {
    const condition = filter[path] as FilterCondition;
    const actual = readPath(payload, path);
    if (actual === undefined) return false;
    if (typeof condition === 'object' && condition !== null) {
      if ('like' in condition) {
        if (typeof actual !== 'string' || !matchesPattern(condition.like, actual)) return false;
      } else if (!condition.in.includes(actual as FilterPrimitive)) {
        return false;
      }
    } else if (actual !== condition) {
      return false;
    }
  }
  return true;
}
