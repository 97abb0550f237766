import { InvalidArgumentError } from '../../shared/index.js';

/**
 * Parses an RFC 6901 JSON Pointer into its unescaped reference tokens (`''` is the whole document,
 * `/a~1b/0` is `['a/b', '0']`). Throws `InvalidArgumentError` for anything else, including a `~`
 * not followed by `0` or `1` (RFC 6901 §3) and the token `__proto__`, which no document may hold.
 *
 * @example
 * parseJsonPointer('/profile/tags/0'); // ['profile', 'tags', '0']
 * parseJsonPointer('/a~1b/m~0n');      // ['a/b', 'm~n']
 */
export function parseJsonPointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw invalidPointer(pointer, 'a JSON Pointer must be a string');
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw invalidPointer(pointer, 'a JSON Pointer must be empty or start with "/"');
  if (/~(?![01])/.test(pointer)) throw invalidPointer(pointer, '"~" must be followed by "0" or "1"');
  const tokens = pointer
    .slice(1)
    .split('/')
    // Order matters (RFC 6901 §4): "~1" first, then "~0", so "~01" becomes "~1", not "/".
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (tokens.includes('__proto__')) throw invalidPointer(pointer, '"__proto__" is not a valid key');
  return tokens;
}

/**
 * Formats reference tokens back into a JSON Pointer (the inverse of {@link parseJsonPointer}).
 *
 * @example
 * formatJsonPointer(['a/b', '0']); // '/a~1b/0'
 */
export function formatJsonPointer(tokens: readonly string[]): string {
  return tokens.map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Parses an array index token: `0` or a number without leading zeros (RFC 6901 §4). Returns
 * `undefined` for anything else, `-` included.
 *
 * @example
 * parseArrayIndex('12'); // 12
 * parseArrayIndex('01'); // undefined
 */
export function parseArrayIndex(token: string): number | undefined {
  return /^(?:0|[1-9][0-9]{0,8})$/.test(token) ? Number(token) : undefined;
}

function invalidPointer(pointer: unknown, reason: string): InvalidArgumentError {
  const shown = typeof pointer === 'string' ? JSON.stringify(pointer) : typeof pointer;
  return new InvalidArgumentError(`Invalid path ${shown}: ${reason}`, {
    details: { issues: [{ path: typeof pointer === 'string' ? pointer : '', message: reason }] },
  });
}
