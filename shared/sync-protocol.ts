import type { Ack } from './ack.js';
import type { SyncDocument, SyncWriteResult } from './sync-document.js';
import type {
  CreateDocumentRequest,
  DeleteDocumentRequest,
  GetDocumentRequest,
  ListDocumentsRequest,
  MutateDocumentRequest,
  WriteDocumentRequest,
} from './schemas/sync-schemas.js';

/** Addresses one document. `realm` defaults to the token's only realm. */
export interface DocumentAddress {
  realm?: string;
  service: string;
  id: string;
}

/**
 * One page of `sync:list`: only documents the caller may read (`R`), in id order.
 */
export interface DocumentListPage {
  items: SyncDocument[];
  /**
   * Pass as `after` for the next page; absent on the last page. It is the id of the page's last
   * item, so it never names a document the caller may not read.
   */
  nextCursor?: string;
}

/** Options every write accepts. */
export interface WriteOptions {
  /** Fail with `CONFLICT` unless the stored revision is this one. */
  expectedRevision?: number;
  /** New expiry, Unix ms; `null` removes it. */
  expiresAt?: number | null;
  /** New expiry as seconds from now. */
  ttl?: number;
}

/**
 * Sync document requests a client sends. Writes answer the document, or only its metadata when
 * the caller may not read it (see {@link SyncWriteResult}).
 */
export interface SyncClientEvents {
  'sync:create': (request: CreateDocumentRequest, ack: Ack<SyncWriteResult>) => void;
  'sync:get': (request: GetDocumentRequest, ack: Ack<SyncDocument>) => void;
  'sync:list': (request: ListDocumentsRequest, ack: Ack<DocumentListPage>) => void;
  'sync:replace': (request: WriteDocumentRequest, ack: Ack<SyncWriteResult>) => void;
  'sync:merge': (request: WriteDocumentRequest, ack: Ack<SyncWriteResult>) => void;
  'sync:mutate': (request: MutateDocumentRequest, ack: Ack<SyncWriteResult>) => void;
  'sync:delete': (request: DeleteDocumentRequest, ack: Ack<SyncWriteResult>) => void;
}

/** The names of {@link SyncClientEvents}. */
export const SYNC_CLIENT_EVENTS = [
  'sync:create',
  'sync:get',
  'sync:list',
  'sync:replace',
  'sync:merge',
  'sync:mutate',
  'sync:delete',
] as const satisfies ReadonlyArray<keyof SyncClientEvents>;

/** What a document write did. */
export type SyncAction = 'created' | 'updated' | 'deleted';

/**
 * The topic a document write is published on.
 *
 * @example
 * syncTopic('notes', 'updated'); // 'sync.notes.updated'
 */
export function syncTopic(service: string, action: SyncAction): string {
  return `sync.${service}.${action}`;
}

/**
 * Whether a topic carries document changes (`sync.<service>.<action>`); only the sync service
 * publishes there.
 *
 * @example
 * isSyncTopic('sync.notes.updated'); // true
 */
export function isSyncTopic(topic: string): boolean {
  return topic.startsWith('sync.');
}

/** RFC 6902 JSON Patch operation, as carried by `diff` and `both` change events. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/**
 * Payload of a sync change event with `returnMode: 'full'` (the default): the document.
 */
export type SyncFullPayload = SyncDocument;

/**
 * Payload with `returnMode: 'diff'`: what changed, as an RFC 6902 JSON Patch from the previous
 * data to the new data.
 */
export interface SyncDiffPayload {
  service: string;
  id: string;
  revision: number;
  /** The revision the patch applies to (0 for a creation). */
  previousRevision: number;
  patch: JsonPatchOperation[];
  deleted?: boolean;
}

/** Payload with `returnMode: 'both'`: the document plus `previousRevision` and `patch`. */
export type SyncBothPayload = SyncDocument & Pick<SyncDiffPayload, 'previousRevision' | 'patch'>;
