import { InvalidArgumentError } from '../../shared/index.js';

/**
 * The tokens of a deepstream path: `'personalData.firstname'` → `['personalData', 'firstname']`,
 * `'children[1].name'` → `['children', 1, 'name']` (numbers index arrays).
 *
 * @example
 * pathTokens('pets[0].name'); // ['pets', 0, 'name']
 */
export function pathTokens(path: string): (string | number)[] {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('A record path must be a non-empty string');
  const tokens: (string | number)[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null) throw new InvalidArgumentError(`Malformed record path ${JSON.stringify(path)}`);
    const [, key, indexes] = match;
    if (key !== '') tokens.push(key!);
    for (const index of indexes!.matchAll(/\[(\d+)\]/g)) tokens.push(Number(index[1]));
    if (key === '' && indexes === '') throw new InvalidArgumentError(`Malformed record path ${JSON.stringify(path)}: empty segment`);
  }
  return tokens;
}

/**
 * The value at `path` in `data` (not copied), `undefined` when any step is missing.
 *
 * @example
 * valueAt({ pets: [{ name: 'Rex' }] }, 'pets[0].name'); // 'Rex'
 */
export function valueAt(data: unknown, path: string | undefined): unknown {
  if (path === undefined) return data;
  let node: unknown = data;
  for (const token of pathTokens(path)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[token];
  }
  return node;
}

/**
 * A copy of `data` with `value` at `path` (`undefined` removes it). Missing intermediate nodes are
 * created: an array when the next token is a number, an object otherwise (deepstream's rule).
 *
 * @example
 * withValueAt({}, 'children[1]', 'Ann'); // { children: [undefined, 'Ann'] } (serialised as null)
 */
export function withValueAt(data: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const tokens = pathTokens(path);
  const root = structuredClone(data);
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < tokens.length - 1; i += 1) {
    const token = tokens[i]!;
    const next = node[token];
    if (typeof next !== 'object' || next === null) node[token] = typeof tokens[i + 1] === 'number' ? [] : {};
    node = node[token] as Record<string | number, unknown>;
  }
  const last = tokens[tokens.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else delete node[last];
  } else node[last] = structuredClone(value);
  return root;
}
