import jsonPatch, { type Operation } from 'fast-json-patch';
import { InvalidArgumentError, PayloadTooLargeError, isValidRealm } from '../../shared/index.js';
import { isValidDocumentId, isValidServiceName, MAX_MUTATIONS } from '../../shared/index.js';
import { newStoreDocumentId } from '../ids.js';
import { cloneJsonObject, cloneJsonValue, isPlainObject, jsonByteLength, type JsonObject } from './json-data.js';
import { formatJsonPointer, parseArrayIndex, parseJsonPointer } from './json-pointer.js';
export { MAX_MUTATIONS } from '../../shared/index.js';

/*
 * Pure operations on document data, shared by every `DocumentStore` and by the sync service:
 * RFC 7386 merge, mutations, RFC 6902 diffs, size and name checks. None mutates its inputs.
 */

/** Default largest document data, in bytes of its JSON form (64 KiB; `SYNC_MAX_DOCUMENT_BYTES`). */
export const DEFAULT_MAX_DOCUMENT_BYTES = 64 * 1024;

/** An RFC 6902 JSON Patch, as carried by `returnMode: 'diff'` events. */
export type JsonPatch = Operation[];

/**
 * Applies an RFC 7386 JSON Merge Patch to document data: objects merge deeply, `null` removes a
 * key, every other value (arrays included) replaces. The patch must itself be a JSON object, so
 * the result always is one. Returns a new object.
 *
 * @example
 * applyMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: 9 }, e: [1] });
 * // { b: { c: 9, d: 3 }, e: [1] }
 */
export function applyMergePatch(data: JsonObject, patch: unknown): JsonObject {
  const checked = cloneJsonObject(patch, 'merge patch');
  return mergeObject(cloneJsonObject(data), checked);
}

// RFC 7386 §2 MergePatch(Target, Patch), for an object patch; `target` is ours to modify.
function mergeObject(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else if (isPlainObject(value)) {
      const current = Object.hasOwn(target, key) ? target[key] : undefined;
      target[key] = mergeObject(isPlainObject(current) ? current : {}, value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

/**
 * Applies mutations in order to a copy of `data`, all or nothing: if one fails, an
 * `InvalidArgumentError` says which (`details.issues[0].path` is `mutations/<index>`) and `data`
 * is untouched. Paths are RFC 6901 JSON Pointers.
 *
 * - `set`: sets the value, creating missing parent objects; on an array, an index up to its
 *   length, or `-`, appends. `set` on `''` replaces the whole data with an object.
 * - `increment`: adds a finite number to a number; a missing value counts as 0.
 * - `remove`: deletes a key or splices an array element; a missing value is a no-op.
 * - `append`: pushes onto an array; a missing array is created.
 *
 * @example
 * applyMutations({ count: 1 }, [
 *   { op: 'increment', path: '/count', value: 2 },
 *   { op: 'append', path: '/log', value: 'x' },
 * ]); // { count: 3, log: ['x'] }
 */
export function applyMutations(data: JsonObject, mutations: unknown): JsonObject {
  if (!Array.isArray(mutations) || mutations.length === 0) {
    throw invalid('mutations', 'mutations must be a non-empty array');
  }
  if (mutations.length > MAX_MUTATIONS) {
    throw invalid('mutations', `at most ${MAX_MUTATIONS} mutations are accepted at once`);
  }
  let result = cloneJsonObject(data);
  mutations.forEach((mutation: unknown, index) => {
    try {
      result = applyMutation(result, mutation);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      const reason = err.message;
      throw new InvalidArgumentError(`mutations[${index}]: ${reason}`, {
        details: { issues: [{ path: `mutations/${index}`, message: reason }] },
      });
    }
  });
  return result;
}

function applyMutation(root: JsonObject, mutation: unknown): JsonObject {
  if (!isPlainObject(mutation)) throw new InvalidArgumentError('a mutation must be an object');
  const op = mutation['op'];
  const path = mutation['path'];
  if (op !== 'set' && op !== 'increment' && op !== 'remove' && op !== 'append') {
    throw new InvalidArgumentError(`unknown op ${JSON.stringify(op) ?? 'undefined'}; expected set, increment, remove or append`);
  }
  const tokens = parseJsonPointer(path);
  const last = tokens[tokens.length - 1];
  if (last === undefined) {
    if (op !== 'set') throw new InvalidArgumentError(`${op} needs a path inside the document, not ""`);
    return cloneJsonObject(mutation['value'], 'set value at ""');
  }
  const parents = tokens.slice(0, -1);
  switch (op) {
    case 'set': {
      const value = cloneJsonValue(mutation['value'], tokens);
      assign(walk(root, parents, true), last, value, tokens);
      return root;
    }
    case 'increment': {
      const by = mutation['value'];
      if (typeof by !== 'number' || !Number.isFinite(by)) {
        throw new InvalidArgumentError('increment value must be a finite number');
      }
      const parent = walk(root, parents, true);
      const existing = read(parent, last);
      const current = existing === undefined ? 0 : existing;
      if (typeof current !== 'number') {
        throw new InvalidArgumentError(`cannot increment ${kind(current)} at ${formatJsonPointer(tokens)}`);
      }
      const next = current + by;
      if (!Number.isFinite(next)) throw new InvalidArgumentError(`increment overflows at ${formatJsonPointer(tokens)}`);
      assign(parent, last, next, tokens);
      return root;
    }
    case 'append': {
      const value = cloneJsonValue(mutation['value'], [...tokens, '-']);
      const parent = walk(root, parents, true);
      const current = read(parent, last);
      if (current === undefined) {
        assign(parent, last, [value], tokens);
      } else if (Array.isArray(current)) {
        current.push(value);
      } else {
        throw new InvalidArgumentError(`cannot append to ${kind(current)} at ${formatJsonPointer(tokens)}`);
      }
      return root;
    }
    case 'remove': {
      const parent = walk(root, parents, false);
      if (parent === undefined) return root;
      if (Array.isArray(parent)) {
        const index = parseArrayIndex(last);
        if (index === undefined) throw new InvalidArgumentError(`invalid array index "${last}" at ${formatJsonPointer(tokens)}`);
        if (index < parent.length) parent.splice(index, 1);
      } else {
        delete parent[last];
      }
      return root;
    }
  }
}

type Container = JsonObject | unknown[];

/** Follows `tokens` from `root`; with `create`, missing object members become `{}`. */
function walk(root: JsonObject, tokens: readonly string[], create: true): Container;
function walk(root: JsonObject, tokens: readonly string[], create: false): Container | undefined;
function walk(root: JsonObject, tokens: readonly string[], create: boolean): Container | undefined {
  let node: Container = root;
  for (const [depth, token] of tokens.entries()) {
    let child = read(node, token);
    if (child === undefined) {
      if (!create) return undefined;
      if (Array.isArray(node)) {
        throw new InvalidArgumentError(`array index "${token}" out of range at ${formatJsonPointer(tokens.slice(0, depth + 1))}`);
      }
      child = {};
      node[token] = child;
    }
    if (!Array.isArray(child) && !isPlainObject(child)) {
      throw new InvalidArgumentError(`cannot go through ${kind(child)} at ${formatJsonPointer(tokens.slice(0, depth + 1))}`);
    }
    node = child;
  }
  return node;
}

/** An own member of an object or an element of an array; `undefined` when absent. */
function read(node: Container | undefined, token: string): unknown {
  if (node === undefined) return undefined;
  if (Array.isArray(node)) {
    const index = parseArrayIndex(token);
    return index === undefined ? undefined : node[index];
  }
  return Object.hasOwn(node, token) ? node[token] : undefined;
}

function assign(parent: Container, token: string, value: unknown, tokens: readonly string[]): void {
  if (!Array.isArray(parent)) {
    parent[token] = value;
    return;
  }
  const index = token === '-' ? parent.length : parseArrayIndex(token);
  if (index === undefined || index > parent.length) {
    throw new InvalidArgumentError(`array index "${token}" out of range at ${formatJsonPointer(tokens)}`);
  }
  parent[index] = value;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * The RFC 6902 JSON Patch that turns `previous` into `next` (for `returnMode: 'diff'` events).
 * Applying it to `previous` yields `next`.
 *
 * @example
 * diffData({ a: 1, b: 2 }, { a: 1, b: 3 }); // [{ op: 'replace', path: '/b', value: 3 }]
 */
export function diffData(previous: JsonObject, next: JsonObject): JsonPatch {
  return jsonPatch.compare(previous, next);
}

/**
 * Checks and copies document data for storing: it must be a JSON object (see `cloneJsonValue`)
 * whose JSON form fits in `maxBytes` (`PayloadTooLargeError` otherwise, with
 * `details: { size, limit }`).
 *
 * @example
 * const data = prepareDocumentData(input, DEFAULT_MAX_DOCUMENT_BYTES);
 */
export function prepareDocumentData(data: unknown, maxBytes: number = DEFAULT_MAX_DOCUMENT_BYTES): JsonObject {
  const copy = cloneJsonObject(data);
  const size = jsonByteLength(copy);
  if (size > maxBytes) {
    throw new PayloadTooLargeError(`Document data is ${size} bytes; the limit is ${maxBytes}`, {
      details: { size, limit: maxBytes },
    });
  }
  return copy;
}

/**
 * Throws `InvalidArgumentError` unless realm, service and (when given) id are valid names
 * (`REALM_PATTERN`, `SERVICE_NAME_PATTERN`, `DOCUMENT_ID_PATTERN`).
 *
 * @example
 * assertDocumentKey('acme', 'session', 'doc_01hx'); // ok
 * assertDocumentKey('acme', 'Session');             // throws
 */
export function assertDocumentKey(realm: unknown, service: unknown, id?: unknown): void {
  if (!isValidRealm(realm)) throw invalid('realm', 'realm must be 1-64 letters, digits, "_" or "-"');
  if (!isValidServiceName(service)) {
    throw invalid('service', 'service must be 1-64 lowercase letters, digits, "_" or "-"');
  }
  if (id !== undefined && !isValidDocumentId(id)) {
    throw invalid('id', 'id must be 1-128 letters, digits, "_", "." or "-" (and not "." or "..")');
  }
}

/**
 * A new document id: `doc_` and a lowercase ULID, so generated ids sort by creation time. The id
 * itself comes from the server's one generator (`server/ids.ts`, `newStoreDocumentId`).
 *
 * @example
 * generateDocumentId(); // 'doc_01hzx3kq9v8e7m2n4p6r8t0w2y'
 */
export function generateDocumentId(): string {
  return newStoreDocumentId();
}

function invalid(path: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(message, { details: { issues: [{ path, message }] } });
}
