import { AlreadyExistsError, ConflictError, NotFoundError } from '../../shared/index.js';
import type { SyncDocument } from '../../shared/index.js';
import { isExpired } from './document-store-arguments.js';
import type { DocumentChange } from './document-store.js';

/*
 * The revision rules of every `DocumentStore`, written once (as deepstream keeps them in its
 * `RecordTransition`). These functions are pure: they decide what the next document and its
 * revision are and whether a write may happen; a store only reads, and then stores the result
 * atomically (the memory store in one synchronous step, MongoDB with one conditional `updateOne`
 * on the revision these functions were given). The rules, as `DocumentStore` states them:
 * - `revision` is 1 on create and grows by exactly 1 on every write, a delete included.
 * - `expectedRevision`, when given, must equal the stored revision, else CONFLICT.
 * - Creating over a tombstone continues its revisions; creating over an expired document starts
 *   again at 1, as if it had never existed.
 *
 * Known issue, kept as it is on purpose: a document re-created after it expired restarts at
 * revision 1, so a watcher that saw higher revisions of the earlier life ignores it. Changing
 * that is a behaviour change; when it is made, it is made in `createRevision` only.
 */

/** What the revision rules look at in a stored document. */
export type RevisionState = Pick<SyncDocument, 'revision' | 'deleted' | 'expiresAt'>;

/**
 * The revision a `create` stores under an id, given what is stored there now: 1 when nothing is
 * (or it has expired), the tombstone's revision + 1 over a tombstone. A live document there is
 * ALREADY_EXISTS.
 *
 * @example
 * createRevision(undefined, 'notes', 'a', Date.now());                        // 1
 * createRevision({ revision: 4, deleted: true }, 'notes', 'a', Date.now());  // 5
 * createRevision({ revision: 4 }, 'notes', 'a', Date.now());                  // throws ALREADY_EXISTS
 */
export function createRevision(existing: RevisionState | undefined, service: string, id: string, now: number): number {
  if (existing === undefined || isExpired(existing, now)) return 1;
  if (existing.deleted !== true) throw new AlreadyExistsError(`Document ${service}/${id} already exists`);
  return existing.revision + 1;
}

/**
 * The document a `create` stores: `data` and `expiresAt` from the input, both times `now`, and
 * the revision given by {@link createRevision}.
 *
 * @example
 * const doc = createdDocument(stored, 'notes', { id: 'a', data: {} }, Date.now());
 */
export function createdDocument(
  existing: RevisionState | undefined,
  service: string,
  input: { id: string; data: Record<string, unknown>; expiresAt?: number },
  now: number,
): SyncDocument {
  return {
    service,
    id: input.id,
    revision: createRevision(existing, service, input.id, now),
    data: input.data,
    createdAt: now,
    updatedAt: now,
    ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
  };
}

/**
 * Checks that a write may apply to what is stored: NOT_FOUND unless `current` is a live document
 * (missing, tombstone and expired all read as missing), CONFLICT (`details: { current }`) when
 * `expectedRevision` is given and differs. Returns the live document.
 *
 * @example
 * const current = checkWritable(stored, 'notes', 'a', 3, Date.now());
 */
export function checkWritable(current: SyncDocument | undefined, service: string, id: string, expectedRevision: number | undefined, now: number): SyncDocument {
  if (current === undefined || current.deleted === true || isExpired(current, now)) throw documentNotFound(service, id);
  if (expectedRevision !== undefined && current.revision !== expectedRevision) {
    throw new ConflictError(`Document ${service}/${id} is at revision ${current.revision}, not ${expectedRevision}`, {
      details: { current: structuredClone(current) },
    });
  }
  return current;
}

/**
 * The document a write turns `current` into: the next revision, the change's data (or a tombstone
 * with `data: {}`), `updatedAt` now, and the expiry: `expiresAt` when given, cleared by `null`,
 * kept when `undefined`. Does not modify `current`.
 *
 * @example
 * nextDocument(current, { data: { title: 'B' } }, undefined, Date.now()); // revision: current.revision + 1
 * nextDocument(current, { deleted: true }, undefined, Date.now());        // a tombstone
 */
export function nextDocument(current: SyncDocument, change: DocumentChange, expiresAt: number | null | undefined, now: number): SyncDocument {
  const next: SyncDocument = {
    service: current.service,
    id: current.id,
    revision: current.revision + 1,
    data: 'deleted' in change ? {} : change.data,
    createdAt: current.createdAt,
    updatedAt: now,
    ...('deleted' in change ? { deleted: true } : {}),
  };
  const nextExpiry = expiresAt === undefined ? current.expiresAt : expiresAt;
  if (nextExpiry !== undefined && nextExpiry !== null) next.expiresAt = nextExpiry;
  return next;
}

/**
 * The NOT_FOUND of a document key, worded the same by every store.
 *
 * @example
 * throw documentNotFound('notes', 'a'); // "Document notes/a not found"
 */
export function documentNotFound(service: string, id: string): NotFoundError {
  return new NotFoundError(`Document ${service}/${id} not found`);
}
