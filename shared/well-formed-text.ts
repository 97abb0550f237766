/**
 * Lone UTF-16 surrogates: in `u` mode `\p{Cs}` matches only a surrogate that is not half of a pair.
 * (`String.prototype.isWellFormed` says the same on Node 20, but is not in this project's ES2023
 * library types.)
 */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether `value` is well-formed Unicode: no lone UTF-16 surrogate. Ids (user ids, ...) must be:
 * encoding turns a lone surrogate into U+FFFD (UTF-8, Redis, JSON in Lua), so `a\uD800` and
 * `a\uFFFD` would become one id wherever ids are stored as bytes.
 *
 * @example
 * isWellFormedText('a\uFFFD'); // true
 * isWellFormedText('a\uD800'); // false
 */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}
