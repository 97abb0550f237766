import type { Filter, ObjectId, UpdateFilter } from 'mongodb';
import { decodeMongoData, encodeMongoData } from './mongo-data-codec.js';
import type { SyncDocument } from '../../shared/index.js';

/**
 * How a sync document is stored in the `sync_documents` collection.
 *
 * - `(realm, service, id)` is unique (index `realm_service_id_unique`); `_id` is the server's
 *   ObjectId, which also tells apart two lives of the same key (see `MongoDocumentStore.write`).
 * - `data` holds the document data with keys escaped by `mongo-data-codec.ts`.
 * - Times are BSON dates so that the TTL index (`expiresAt`) and the shell can read them; the API
 *   speaks Unix milliseconds.
 * - `deleted: true` marks a tombstone; `deleted` and `expiresAt` are absent otherwise.
 *
 * @example
 * const stored: StoredDocument = {
 *   realm: 'acme', service: 'session', id: 'a', revision: 1, data: {},
 *   createdAt: new Date(), updatedAt: new Date(),
 * };
 */
export interface StoredDocument {
  _id?: ObjectId;
  realm: string;
  service: string;
  id: string;
  revision: number;
  data: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  deleted?: true;
  expiresAt?: Date;
}

/**
 * Converts a stored document to the API's `SyncDocument` (unescaping data keys).
 *
 * @example
 * const doc = fromStored(await collection.findOne(filter));
 */
export function fromStored(stored: StoredDocument): SyncDocument {
  const doc: SyncDocument = {
    service: stored.service,
    id: stored.id,
    revision: stored.revision,
    data: decodeMongoData(stored.data) as Record<string, unknown>,
    createdAt: stored.createdAt.getTime(),
    updatedAt: stored.updatedAt.getTime(),
  };
  if (stored.deleted === true) doc.deleted = true;
  if (stored.expiresAt instanceof Date) doc.expiresAt = stored.expiresAt.getTime();
  return doc;
}

/**
 * Escapes document data for storing.
 *
 * @example
 * toStoredData({ 'example.com': 1 }); // { 'example%2Ecom': 1 }
 */
export function toStoredData(data: Record<string, unknown>): Record<string, unknown> {
  return encodeMongoData(data) as Record<string, unknown>;
}

/**
 * Whether a stored document has expired at `now` (Unix ms).
 *
 * @example
 * isStoredExpired(stored, Date.now());
 */
export function isStoredExpired(stored: StoredDocument, now: number): boolean {
  return stored.expiresAt instanceof Date && stored.expiresAt.getTime() <= now;
}

/**
 * The filter of documents that have not expired at `now`.
 *
 * @example
 * collection.find({ realm, service, ...notExpiredFilter(Date.now()) });
 */
export function notExpiredFilter(now: number): Filter<StoredDocument> {
  return { $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: new Date(now) } }] };
}

/**
 * The update that stores `next` over the document it was computed from: `$set` of the data and
 * `updatedAt` (and `deleted`, and `expiresAt` when a new one is given), `$unset` of `expiresAt`
 * when it is cleared (`null`), and `$inc` of the revision, which the filter of the
 * compare-and-set pins to the revision that was read.
 *
 * @example
 * await collection.updateOne({ _id, revision }, toStoredUpdate(next, options.expiresAt));
 */
export function toStoredUpdate(next: SyncDocument, expiresAt: number | null | undefined): UpdateFilter<StoredDocument> {
  return {
    $set: {
      data: toStoredData(next.data),
      updatedAt: new Date(next.updatedAt),
      ...(next.deleted === true ? { deleted: true as const } : {}),
      ...(typeof expiresAt === 'number' ? { expiresAt: new Date(expiresAt) } : {}),
    },
    $inc: { revision: 1 },
    ...(expiresAt === null ? { $unset: { expiresAt: '' as const } } : {}),
  };
}
