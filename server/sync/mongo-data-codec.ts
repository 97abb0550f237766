/*
 * Reversible encoding of document data for MongoDB: escaped keys, wrapped nested arrays.
 *
 * Why this exists: document data is arbitrary JSON, and keys such as `"example.com"`, `"$ref"` or
 * `"a\u0000b"` are ordinary JSON. MongoDB cannot store them reliably: `.` means a path in
 * queries and updates, a leading `$` means an operator (FerretDB refuses both outright), and BSON
 * keys cannot contain NUL. Rejecting them would make the MongoDB store refuse data the memory store
 * accepts, so instead the MongoDB store escapes keys on the way in and unescapes them on the way
 * out, percent-style:
 *
 * | in the key          | stored as |
 * |---------------------|-----------|
 * | `%`                 | `%25`     |
 * | `.`                 | `%2E`     |
 * | NUL                 | `%00`     |
 * | `$` (first char)    | `%24`     |
 *
 * Escaping `%` itself makes the mapping one-to-one, so any key round-trips. Keys without these
 * characters (nearly all of them) are stored unchanged, so the data stays readable in the shell.
 *
 * Arrays directly inside arrays (`[[1, 2], [3, 4]]`, GeoJSON coordinates) are valid in MongoDB but
 * refused by FerretDB v1 ("nested arrays are not supported"), so each inner array is stored
 * wrapped as `{ "%A": [...] }`. No escaped user key can be `%A` (every `%` of an escaped key is
 * followed by `25`, `2E`, `00` or `24`), so the wrapper is never confused with user data.
 * Other values are stored as they are.
 */

/** The key of the object that wraps an array stored inside an array. */
export const NESTED_ARRAY_KEY = '%A';

/**
 * Encodes a JSON value (deeply) for storing in MongoDB: escapes every key, wraps nested arrays.
 *
 * @example
 * encodeMongoData({ 'example.com': { $ref: 1 } }); // { 'example%2Ecom': { '%24ref': 1 } }
 * encodeMongoData({ m: [[1], 2] });                 // { m: [{ '%A': [1] }, 2] }
 */
export function encodeMongoData(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item: unknown) => (Array.isArray(item) ? { [NESTED_ARRAY_KEY]: encodeMongoData(item) } : encodeMongoData(item)));
  }
  return mapObject(value, encodeKey, encodeMongoData);
}

/**
 * Reverses {@link encodeMongoData}.
 *
 * @example
 * decodeMongoData({ 'example%2Ecom': 1 }); // { 'example.com': 1 }
 */
export function decodeMongoData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => decodeMongoData(item));
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    const wrapped: unknown = (value as Record<string, unknown>)[NESTED_ARRAY_KEY];
    if (keys.length === 1 && keys[0] === NESTED_ARRAY_KEY && Array.isArray(wrapped)) return decodeMongoData(wrapped);
  }
  return mapObject(value, decodeKey, decodeMongoData);
}

/**
 * Escapes one key.
 *
 * @example
 * encodeKey('$a.b%'); // '%24a%2Eb%25'
 */
export function encodeKey(key: string): string {
  const escaped = key.replace(/[%.\u0000]/g, (ch) => ESCAPES[ch] ?? ch);
  return escaped.startsWith('$') ? `%24${escaped.slice(1)}` : escaped;
}

/**
 * Unescapes one key.
 *
 * @example
 * decodeKey('%24a%2Eb%25'); // '$a.b%'
 */
export function decodeKey(key: string): string {
  return key.includes('%') ? key.replace(/%(25|2E|00|24)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : key;
}

const ESCAPES: Readonly<Record<string, string>> = { '%': '%25', '.': '%2E', '\u0000': '%00' };

function mapObject(value: unknown, mapKey: (key: string) => string, mapValue: (value: unknown) => unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, not assignment: a key named "__proto__" must stay a plain own key.
    Object.defineProperty(out, mapKey(key), { value: mapValue(item), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
