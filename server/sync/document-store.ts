import type { SyncDocument } from '../../shared/index.js';

/**
 * What `create` stores.
 *
 * @example
 * const input: CreateDocumentInput = { data: { status: 'open' }, expiresAt: Date.now() + 3_600_000 };
 */
export interface CreateDocumentInput {
  /** The document id; generated (`doc_<ulid>`) when absent. */
  id?: string;
  /** The initial data, a JSON object. */
  data: Record<string, unknown>;
  /** Absolute expiry, Unix ms, in the future. */
  expiresAt?: number;
}

/**
 * Options of `get`.
 *
 * @example
 * await store.get('acme', 'session', 'abc', { includeDeleted: true });
 */
export interface GetDocumentOptions {
  /** Return a soft-deleted document (a tombstone) instead of failing with NOT_FOUND. @default false */
  includeDeleted?: boolean;
}

/**
 * Options of `list`: cursor pagination over live documents in id order.
 *
 * @example
 * const first = await store.list('acme', 'session', { limit: 20 });
 * const second = await store.list('acme', 'session', { limit: 20, after: first.nextCursor });
 */
export interface ListDocumentsOptions {
  /** Page size, 1 to {@link MAX_LIST_LIMIT}. @default DEFAULT_LIST_LIMIT (100) */
  limit?: number;
  /** A `nextCursor` from the previous page: the page starts after it. @default undefined (first page) */
  after?: string;
}

/**
 * One page of `list`. `nextCursor` is present only when more documents follow.
 *
 * @example
 * const { items, nextCursor } = await store.list('acme', 'session');
 */
export interface DocumentPage {
  items: SyncDocument[];
  nextCursor?: string;
}

/** Default `list` page size. */
export const DEFAULT_LIST_LIMIT = 100;

export { MAX_LIST_LIMIT } from '../../shared/index.js';

/**
 * What a write turns the document into: new data, or a soft delete.
 *
 * @example
 * const change: DocumentChange = { data: { ...current.data, status: 'ended' } };
 * const removal: DocumentChange = { deleted: true };
 */
export type DocumentChange = { data: Record<string, unknown> } | { deleted: true };

/**
 * Computes a write from the current live document. It must be pure and synchronous: a store may
 * call it several times (once per attempt) and keeps only the result of the attempt that wins.
 * Throwing (e.g. an `InvalidArgumentError` for a bad mutation) aborts the write.
 *
 * @example
 * const rename: DocumentTransform = (current) => ({ data: { ...current.data, name: 'B' } });
 */
export type DocumentTransform = (current: SyncDocument) => DocumentChange;

/**
 * Options of `write`.
 *
 * @example
 * await store.write(realm, 'notes', id, replaceWith(data), { expectedRevision: 3 });
 */
export interface WriteDocumentOptions {
  /**
   * Compare-and-set: the write happens only if the stored revision is this one; otherwise it
   * fails with CONFLICT and `details.current` (the current document). Without it, a write that
   * loses a race re-reads and re-applies its transform, so no concurrent write is ever lost.
   * @default undefined (no check)
   */
  expectedRevision?: number;
  /** New absolute expiry (Unix ms, in the future); `null` clears it. @default undefined (unchanged) */
  expiresAt?: number | null;
}

/**
 * The outcome of a write: the document before and after it (for change events and diffs).
 *
 * @example
 * const { previous, current } = await store.write(...);
 * diffData(previous.data, current.data);
 */
export interface WriteResult {
  previous: SyncDocument;
  current: SyncDocument;
}

/**
 * Storage of revisioned sync documents, keyed by (realm, service, id). Implementations:
 * `MemoryDocumentStore` (embedded, the default) and `MongoDocumentStore`. One contract test suite
 * (`test/contract/document-store-contract.ts`) pins the behaviour of both.
 *
 * Why this shape: every update (replace, merge, mutate, delete) goes through the single
 * {@link DocumentStore.write} primitive, a compare-and-set on the revision. A store can therefore
 * make every kind of update atomic with one mechanism (for MongoDB, one conditional `updateOne`
 * filtered on the revision that was read), and the revision rules live in one place
(`document-revisions.ts`: `createRevision`, `checkWritable`, `nextDocument`, used by every store):
 * - `revision` is 1 on create and grows by exactly 1 on every write, a delete included; only the
 *   store assigns it.
 * - Deletes are soft: the document becomes a tombstone (`deleted: true`, `data: {}`), which `get`
 *   returns only with `includeDeleted`. Creating over a tombstone starts it again with the next
 *   revision (revisions never go backwards for an id); creating over an expired document starts at 1.
 * - An expired document (`expiresAt <= now`) reads as missing everywhere and is removed later.
 *
 * Errors are `RealtimeError`s: `INVALID_ARGUMENT` (bad names, data, options), `NOT_FOUND`,
 * `ALREADY_EXISTS`, `CONFLICT` (`details: { current }`), `PAYLOAD_TOO_LARGE`, `UNAVAILABLE`
 * (backend unreachable, or the store is closed), `INTERNAL` (anything else, without internals).
 *
 * @example
 * const store: DocumentStore = new MemoryDocumentStore();
 * const doc = await store.create('acme', 'session', { data: { status: 'open' } });
 * await store.write('acme', 'session', doc.id, (cur) => ({ data: { ...cur.data, status: 'ended' } }), {
 *   expectedRevision: doc.revision,
 * });
 */
export interface DocumentStore {
  /**
   * Whether the store's database answers now (`GET /ready` and the `realtime_dependency_up`
   * metric ask). Stores without a remote database leave it out.
   */
  health?(): Promise<'up' | 'down'>;

  /** Stores a new document at revision 1. ALREADY_EXISTS when a live document has that id. */
  create(realm: string, service: string, input: CreateDocumentInput): Promise<SyncDocument>;

  /** The live document. NOT_FOUND when missing, expired, or deleted (unless `includeDeleted`). */
  get(realm: string, service: string, id: string, options?: GetDocumentOptions): Promise<SyncDocument>;

  /** One page of live documents, ordered by id. */
  list(realm: string, service: string, options?: ListDocumentsOptions): Promise<DocumentPage>;

  /**
   * The one conditional write: reads the live document (NOT_FOUND if none), checks
   * `expectedRevision` (CONFLICT with the current document), applies `transform`, and stores the
   * result with revision + 1 only if nobody wrote in between; without `expectedRevision` a lost
   * race is retried from the read.
   */
  write(realm: string, service: string, id: string, transform: DocumentTransform, options?: WriteDocumentOptions): Promise<WriteResult>;

  /** Removes expired documents now; returns how many. Stores also do this on their own. */
  sweepExpired(): Promise<number>;

  /** Connects and prepares (indexes) ahead of the first request, where the store needs to. */
  ready?(): Promise<void>;

  /** Stops timers and releases connections the store owns. Later calls fail with UNAVAILABLE. */
  close(): Promise<void>;
}
