import { InvalidArgumentError } from './errors.js';

/**
 * Deepest nesting of objects and arrays accepted in one request (a socket request's payload or a
 * REST body; the request object itself is level 1), unless `limits.maxPayloadDepth` /
 * `MAX_PAYLOAD_DEPTH` says otherwise.
 *
 * Why 64: it leaves room above document data (32 levels, see the sync store) plus its request
 * envelope, and stays two orders of magnitude below the depth where the recursive code behind a
 * request overflows the stack (`JSON.stringify` at ~4,100 levels, the Redis adapter's MessagePack
 * encoder at ~2,900).
 */
export const DEFAULT_MAX_PAYLOAD_DEPTH = 64;

/** The key no payload may hold: assigning it replaces an object's prototype instead of adding a key. */
export const FORBIDDEN_JSON_KEY = '__proto__';

/**
 * What {@link findJsonShapeProblem} found: nesting beyond the limit, a `__proto__` key, or binary
 * data (which Socket.IO carries as an attachment but JSON, the history and Redis cannot).
 */
export type JsonShapeProblem =
  | {
      kind: 'too-deep';
      /** Where the first value beyond the limit sits (reference tokens). */
      path: string[];
      /** The level reached: `limit + 1` (the walk stops there; the value may go deeper). */
      depth: number;
      limit: number;
    }
  | { kind: 'forbidden-key'; path: string[] }
  | { kind: 'binary'; path: string[] };

interface Frame {
  value: object;
  depth: number;
  parent: Frame | undefined;
  key: string;
}

/**
 * Walks a value (without recursion, so any depth is safe) and returns the first problem: an object
 * or array nested deeper than `maxDepth` levels (the value itself is level 1; a cycle counts as
 * endless nesting), a `__proto__` own key at any depth, or binary data (`ArrayBuffer`, typed
 * arrays, `Buffer`) anywhere: every payload of the protocol is JSON, and a binary value would be
 * accepted as a filter or presence state yet stored or replayed as something else.
 *
 * Why not recursion: the point is to refuse a 100,000-level payload before any recursive code
 * (zod, `JSON.stringify`, `structuredClone`, MessagePack) touches it; a recursive check would
 * overflow the stack itself.
 *
 * @example
 * findJsonShapeProblem({ a: { b: 1 } }, 1); // { kind: 'too-deep', path: ['a'], depth: 2, limit: 1 }
 * findJsonShapeProblem(JSON.parse('{"__proto__":1}'), 64); // { kind: 'forbidden-key', path: ['__proto__'] }
 */
export function findJsonShapeProblem(value: unknown, maxDepth: number): JsonShapeProblem | undefined {
  if (isBinary(value)) return { kind: 'binary', path: [] };
  if (!isContainer(value)) return undefined;
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: '' }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    if (frame.depth > maxDepth) return { kind: 'too-deep', path: pathOf(frame), depth: frame.depth, limit: maxDepth };
    if (Array.isArray(frame.value)) {
      const items: unknown[] = frame.value;
      for (let i = items.length - 1; i >= 0; i -= 1) {
        const item = items[i];
        if (isBinary(item)) return { kind: 'binary', path: [...pathOf(frame), String(i)] };
        if (isContainer(item)) stack.push({ value: item, depth: frame.depth + 1, parent: frame, key: String(i) });
      }
      continue;
    }
    const record = frame.value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i]!;
      if (key === FORBIDDEN_JSON_KEY) return { kind: 'forbidden-key', path: [...pathOf(frame), key] };
      const item = record[key];
      if (isBinary(item)) return { kind: 'binary', path: [...pathOf(frame), key] };
      if (isContainer(item)) stack.push({ value: item, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return undefined;
}

/**
 * Throws `INVALID_ARGUMENT` when {@link findJsonShapeProblem} finds a problem in `value`.
 * `details` carries `issues: [{ path, message }]` (the path as a JSON Pointer) and, for nesting,
 * `depth` and `limit`.
 *
 * @example
 * assertJsonShape(request, 64, 'topic:publish request');
 * // InvalidArgumentError: Invalid topic:publish request: nested deeper than 64 levels at "/payload/a/a/..."
 */
export function assertJsonShape(value: unknown, maxDepth: number, what: string): void {
  const problem = findJsonShapeProblem(value, maxDepth);
  if (problem === undefined) return;
  const path = shortPointer(problem.path);
  if (problem.kind === 'binary') {
    const message = 'binary data is not a JSON value';
    throw new InvalidArgumentError(`Invalid ${what}: ${message} (at "${path}")`, { details: { issues: [{ path, message }] } });
  }
  if (problem.kind === 'forbidden-key') {
    const message = `"${FORBIDDEN_JSON_KEY}" is not an allowed key`;
    throw new InvalidArgumentError(`Invalid ${what}: ${message} (at "${path}")`, { details: { issues: [{ path, message }] } });
  }
  const message = `nested deeper than ${problem.limit} levels`;
  throw new InvalidArgumentError(`Invalid ${what}: ${message} at "${path}"`, {
    details: { issues: [{ path, message }], depth: problem.depth, limit: problem.limit },
  });
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !isBinary(value);
}

function isBinary(value: unknown): boolean {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function pathOf(frame: Frame): string[] {
  const path: string[] = [];
  for (let at: Frame | undefined = frame; at?.parent !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/** An RFC 6901 JSON Pointer, cut to a readable length (a path 64 levels deep can be long). */
function shortPointer(tokens: readonly string[]): string {
  const pointer = tokens.map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  return pointer.length <= 300 ? pointer : `${pointer.slice(0, 297)}...`;
}
