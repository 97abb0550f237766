import { InvalidArgumentError } from '../../shared/index.js';
import { isValidDocumentId } from '../../shared/index.js';
import { assertDocumentKey, generateDocumentId, prepareDocumentData } from './document-operations.js';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type DocumentChange, type ListDocumentsOptions, type WriteDocumentOptions } from './document-store.js';
import { isPlainObject, type JsonObject } from './json-data.js';

/*
 * Argument checks shared by every `DocumentStore`, so all stores refuse the same inputs with the
 * same `INVALID_ARGUMENT` / `PAYLOAD_TOO_LARGE` errors before touching storage.
 */

/** A checked `create` input. */
export interface CheckedCreate {
  id: string;
  data: JsonObject;
  expiresAt?: number;
}

/**
 * Checks names, id, data and expiry of a `create`, generating the id when absent.
 *
 * @example
 * const { id, data } = checkCreate('acme', 'session', { data: {} }, Date.now(), 65536);
 */
export function checkCreate(realm: string, service: string, input: unknown, now: number, maxBytes: number): CheckedCreate {
  assertDocumentKey(realm, service);
  if (!isPlainObject(input)) throw invalid('input', 'create input must be an object with `data`');
  const id = input['id'] ?? generateDocumentId();
  assertDocumentKey(realm, service, id);
  const data = prepareDocumentData(input['data'], maxBytes);
  const expiresAt = checkExpiresAt(input['expiresAt'], now);
  return expiresAt === undefined || expiresAt === null ? { id: id as string, data } : { id: id as string, data, expiresAt };
}

/**
 * Checks `list` options and applies their defaults.
 *
 * @example
 * checkListOptions({ limit: 10 }); // { limit: 10 }
 */
export function checkListOptions(options: ListDocumentsOptions | undefined): { limit: number; after?: string } {
  const limit = options?.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw invalid('limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  const after = options?.after;
  if (after === undefined) return { limit };
  if (!isValidDocumentId(after)) throw invalid('after', 'after must be a cursor returned by list');
  return { limit, after };
}

/**
 * Checks `write` options.
 *
 * @example
 * checkWriteOptions({ expectedRevision: 3 }, Date.now());
 */
export function checkWriteOptions(options: WriteDocumentOptions | undefined, now: number): WriteDocumentOptions {
  const expectedRevision = options?.expectedRevision;
  if (expectedRevision !== undefined && (!Number.isSafeInteger(expectedRevision) || expectedRevision < 1)) {
    throw invalid('expectedRevision', 'expectedRevision must be a positive integer');
  }
  const expiresAt = checkExpiresAt(options?.expiresAt, now);
  return {
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/**
 * Checks what a `DocumentTransform` returned: `{ deleted: true }`, or `{ data }` with valid data
 * within the size limit (copied).
 *
 * @example
 * checkChange({ data: { a: 1 } }, 65536); // { data: { a: 1 } }
 */
export function checkChange(change: unknown, maxBytes: number): DocumentChange {
  if (isPlainObject(change) && change['deleted'] === true) return { deleted: true };
  if (!isPlainObject(change) || !('data' in change)) {
    throw new InvalidArgumentError('A document write must produce `{ data }` or `{ deleted: true }`');
  }
  return { data: prepareDocumentData(change['data'], maxBytes) };
}

/**
 * Whether a stored document has expired at `now`.
 *
 * @example
 * isExpired({ expiresAt: 1000 }, 1000); // true
 */
export function isExpired(doc: { expiresAt?: number | undefined }, now: number): boolean {
  return doc.expiresAt !== undefined && doc.expiresAt <= now;
}

/**
 * Checks a store's numeric option at construction (a positive integer, or >= 0 with `allowZero`).
 *
 * @example
 * const bytes = checkStoreOption('maxDocumentBytes', options.maxDocumentBytes, 65536);
 */
export function checkStoreOption(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < (allowZero ? 0 : 1)) {
    throw invalid(name, `${name} must be ${allowZero ? 'a non-negative' : 'a positive'} integer`);
  }
  return resolved;
}

function checkExpiresAt(value: unknown, now: number): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalid('expiresAt', 'expiresAt must be a Unix time in milliseconds');
  }
  if (value <= now) throw invalid('expiresAt', 'expiresAt must be in the future');
  return value;
}

function invalid(path: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(message, { details: { issues: [{ path, message }] } });
}
