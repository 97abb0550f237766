/**
 * A revisioned sync document, as every store returns it and every client sees it.
 *
 * `revision` starts at 1 and grows by exactly 1 on every write (deletes included); only the
 * server assigns it. Timestamps are Unix milliseconds.
 *
 * @example
 * const doc: SyncDocument = {
 *   service: 'session', id: 'doc_01j0', revision: 1, data: { status: 'open' },
 *   createdAt: 1710000000000, updatedAt: 1710000000000,
 * };
 */
export interface SyncDocument {
  /** Namespace the document belongs to (`session`, `order`); see {@link SERVICE_NAME_PATTERN}. */
  service: string;
  /** Unique within (realm, service); see {@link DOCUMENT_ID_PATTERN}. */
  id: string;
  /** 1 on create, +1 on every write. */
  revision: number;
  /** The document's JSON payload. Empty (`{}`) once the document is deleted. */
  data: Record<string, unknown>;
  /** When the document was created, Unix ms. */
  createdAt: number;
  /** When the document was last written, Unix ms. */
  updatedAt: number;
  /** Present and `true` on a soft-deleted document (a tombstone). */
  deleted?: boolean;
  /** When the document expires, Unix ms; expired documents read as missing. */
  expiresAt?: number;
}

/**
 * A document without its data: what a write (and a `CONFLICT`'s `details.current`) answers a caller
 * that may change the document but not read it (`C`, `U` or `D` without `R` on
 * `doc/<service>/<id>`). Every field of {@link SyncDocument} except `data`, which is absent.
 *
 * @example
 * const meta: SyncDocumentMetadata = { service: 'session', id: 'doc_01j0', revision: 4, createdAt: 1710000000000, updatedAt: 1710000009000 };
 */
export type SyncDocumentMetadata = Omit<SyncDocument, 'data'> & { data?: undefined };

/**
 * What a write answers: the whole document when the caller may read it (`R`), else its metadata.
 *
 * @example
 * const saved: SyncWriteResult = await client.sync.merge('notes', 'n1', { done: true });
 * if (saved.data !== undefined) render(saved.data);
 */
export type SyncWriteResult = SyncDocument | SyncDocumentMetadata;

/**
 * Sets `value` at `path`, creating missing parent objects. `-` as the last array token appends.
 *
 * @example
 * const m: SetMutation = { op: 'set', path: '/status', value: 'ended' };
 */
export interface SetMutation {
  op: 'set';
  /** RFC 6901 JSON Pointer (`/a/b/0`, `~1` for `/`, `~0` for `~`). */
  path: string;
  value: unknown;
}

/**
 * Adds `value` (may be negative) to the number at `path`; a missing value counts as 0.
 *
 * @example
 * const m: IncrementMutation = { op: 'increment', path: '/participantCount', value: -1 };
 */
export interface IncrementMutation {
  op: 'increment';
  path: string;
  value: number;
}

/**
 * Removes the value at `path` (an array element is spliced out); a missing value is a no-op.
 *
 * @example
 * const m: RemoveMutation = { op: 'remove', path: '/draft' };
 */
export interface RemoveMutation {
  op: 'remove';
  path: string;
}

/**
 * Appends `value` to the array at `path`; a missing array is created.
 *
 * @example
 * const m: AppendMutation = { op: 'append', path: '/log', value: { at: 1, text: 'joined' } };
 */
export interface AppendMutation {
  op: 'append';
  path: string;
  value: unknown;
}

/**
 * One step of `sync.mutate`. A list of mutations is applied atomically as one revision.
 *
 * @example
 * const mutations: Mutation[] = [
 *   { op: 'set', path: '/status', value: 'ended' },
 *   { op: 'increment', path: '/participantCount', value: -1 },
 * ];
 */
export type Mutation = SetMutation | IncrementMutation | RemoveMutation | AppendMutation;

/** Most mutations one `sync:mutate` applies at once. */
export const MAX_MUTATIONS = 1000;

/** Largest page `sync:list` answers. */
export const MAX_LIST_LIMIT = 1000;

/** Longest expiry a write may set with `ttl`, in seconds (366 days). */
export const MAX_TTL_SECONDS = 366 * 24 * 3600;

/** The operation names of {@link Mutation}. */
export type MutationOp = Mutation['op'];

/**
 * Service names: lowercase letters, digits, `_` and `-`, 1 to 64 characters. A service name is one
 * segment of its event topics (`sync.<service>.updated`), so it follows the topic grammar.
 *
 * @example
 * SERVICE_NAME_PATTERN.test('session'); // true
 */
export const SERVICE_NAME_PATTERN = /^[a-z0-9_-]{1,64}$/;

/**
 * Document ids: letters, digits, `_`, `.` and `-`, 1 to 128 characters, and not `.` or `..` (ids
 * appear in URL paths and in permission resource ids `doc/<service>/<id>`).
 *
 * @example
 * DOCUMENT_ID_PATTERN.test('doc_01HZX3'); // true
 */
export const DOCUMENT_ID_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,128}$/;

/**
 * Whether `value` is a valid service name.
 *
 * @example
 * isValidServiceName('order'); // true
 * isValidServiceName('Order/2'); // false
 */
export function isValidServiceName(value: unknown): value is string {
  return typeof value === 'string' && SERVICE_NAME_PATTERN.test(value);
}

/**
 * Whether `value` is a valid document id.
 *
 * @example
 * isValidDocumentId('note-1'); // true
 * isValidDocumentId('a/b'); // false
 */
export function isValidDocumentId(value: unknown): value is string {
  return typeof value === 'string' && DOCUMENT_ID_PATTERN.test(value);
}
