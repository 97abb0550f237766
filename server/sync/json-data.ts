import { InvalidArgumentError } from '../../shared/index.js';
import { formatJsonPointer } from './json-pointer.js';

/** A JSON object, as document data is. */
export type JsonObject = Record<string, unknown>;

/**
 * Deepest nesting of objects and arrays accepted in document data (the data object itself is
 * level 1). MongoDB refuses BSON nested deeper than 100 levels, and the MongoDB store can double
 * the depth of arrays nested in arrays (see `mongo-data-codec.ts`), so 32 keeps every store's
 * answer the same with room to spare.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Deep-copies a JSON value, checking on the way that it is one: `null`, booleans, strings, finite
 * numbers, arrays and plain objects only. `undefined`, `NaN`, `Infinity`, functions, class
 * instances (`Date`, `Map`, ...), holes in arrays, nesting deeper than {@link MAX_JSON_DEPTH} and
 * the key `__proto__` are refused with an `InvalidArgumentError` naming the offending path.
 *
 * Every key is otherwise allowed, `.` and leading `$` included: the MongoDB store escapes them.
 *
 * @example
 * const copy = cloneJsonValue({ a: [1, 'x', null] }); // a fresh, independent copy
 * cloneJsonValue({ at: new Date() }); // throws InvalidArgumentError ("/at")
 */
export function cloneJsonValue(value: unknown, path: readonly string[] = []): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notJson(path, 'numbers must be finite');
    return value;
  }
  if (path.length >= MAX_JSON_DEPTH) throw notJson(path, `nesting deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (let i = 0; i < value.length; i += 1) {
      copy.push(cloneJsonValue(value[i], [...path, String(i)]));
    }
    return copy;
  }
  if (isPlainObject(value)) {
    const copy: JsonObject = {};
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw notJson([...path, key], '"__proto__" is not a valid key');
      copy[key] = cloneJsonValue(value[key], [...path, key]);
    }
    return copy;
  }
  throw notJson(path, `${describe(value)} is not a JSON value`);
}

/**
 * Like {@link cloneJsonValue}, for a value that must be a JSON object (document data, merge patches).
 *
 * @example
 * const data = cloneJsonObject(input, 'data');
 */
export function cloneJsonObject(value: unknown, what = 'data'): JsonObject {
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(`${what} must be a JSON object`, {
      details: { issues: [{ path: '', message: `${what} must be a JSON object` }] },
    });
  }
  return cloneJsonValue(value) as JsonObject;
}

/**
 * Whether `value` is a plain object (an object literal or `Object.create(null)`), not an array,
 * `null` or a class instance.
 *
 * @example
 * isPlainObject({ a: 1 }); // true
 * isPlainObject([1]);      // false
 */
export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Size of a JSON value in bytes: the UTF-8 length of its `JSON.stringify` form.
 *
 * @example
 * jsonByteLength({ a: 'é' }); // 10
 */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

function notJson(path: readonly string[], reason: string): InvalidArgumentError {
  const pointer = formatJsonPointer(path);
  const message = `Invalid data at "${pointer}": ${reason}`;
  return new InvalidArgumentError(message, { details: { issues: [{ path: pointer, message: reason }] } });
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}
