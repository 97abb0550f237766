import {
  ConflictError,
  InvalidArgumentError,
  syncTopic,
  type DocumentListPage,
  type Mutation,
  type SyncAction,
  type SyncDocument,
  type SyncWriteResult,
  type WriteOptions,
} from '../../shared/index.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { documentMetadata, documentView } from './document-metadata.js';
import { applyMergePatch, applyMutations, diffData } from './document-operations.js';
import { listReadable, type ReadableFilter } from './readable-listing.js';
import { shapeSyncEvent, syncEventResource } from './sync-event-shaper.js';
import type { DocumentChange, DocumentStore, WriteDocumentOptions, WriteResult } from './document-store.js';

/**
 * Who writes, as the permission gate let them through: the realm, the user (named in the change
 * event) and whether they may read the document (a writer without `R` gets metadata back).
 */
export interface SyncCaller {
  realm: string;
  userId: string;
  readable: boolean;
}

/** `create` input. */
export interface CreateInput {
  id: string;
  data: Record<string, unknown>;
  expiresAt?: number;
  ttl?: number;
}

/**
 * The revisioned document service: runs every write through the store's compare-and-set
 * primitive and publishes each write as a RealtimeEvent on `sync.<service>.<created|updated|deleted>`.
 * It checks no permission: the sync operations (`sync-operations.ts`) declare `C R U D` on
 * `doc/<service>/<id>` and the permission gate checks them first, for the socket and REST alike.
 *
 * Nothing reads through a write: a caller without `R` on the document gets only its metadata
 * back from a write (`SyncDocumentMetadata`: no `data`), and a `CONFLICT` it causes carries the
 * current revision in `details.current` without the data.
 *
 * @example
 * const doc = await sync.merge({ realm: 'demo', userId: 'alice', readable: true }, 'notes', 'n1', { title: 'Hi' }, { expectedRevision: 3 });
 */
export class SyncService {
  constructor(
    private readonly store: DocumentStore,
    private readonly publisher: EventPublisher,
  ) {
    publisher.addShaper(shapeSyncEvent);
    publisher.addReadCheck(syncEventResource);
  }

  /** Creates a document; answers it whole to a reader, else its metadata. */
  async create(caller: SyncCaller, service: string, input: CreateInput): Promise<SyncWriteResult> {
    const { realm } = caller;
    const { id } = input;
    const expiresAt = resolveExpiry(input);
    const document = await this.store.create(realm, service, {
      id,
      data: input.data,
      ...(expiresAt === undefined || expiresAt === null ? {} : { expiresAt }),
    });
    await this.publishChange(realm, 'created', undefined, document, caller.userId);
    return documentView(document, caller.readable);
  }

  get(realm: string, service: string, id: string, includeDeleted = false): Promise<SyncDocument> {
    return this.store.get(realm, service, id, { includeDeleted });
  }

  /**
   * Live documents the caller may read, ordered by id; `nextCursor` (present while more readable
   * documents follow) is the id of the page's last item, never a document it may not read (see
   * {@link listReadable}).
   */
  list(realm: string, service: string, options: { limit?: number; after?: string }, filter: ReadableFilter): Promise<DocumentListPage> {
    return listReadable(this.store, realm, service, options, filter);
  }

  replace(caller: SyncCaller, service: string, id: string, data: Record<string, unknown>, options: WriteOptions = {}): Promise<SyncWriteResult> {
    return this.write(caller, service, id, () => ({ data }), options);
  }

  /** RFC 7386 JSON Merge Patch: objects merge deeply, `null` removes a key, anything else replaces. */
  merge(caller: SyncCaller, service: string, id: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<SyncWriteResult> {
    return this.write(caller, service, id, (current) => ({ data: applyMergePatch(current.data, patch) }), options);
  }

  /** `set`, `increment`, `remove`, `append` on JSON Pointer paths, applied together as one revision. */
  mutate(caller: SyncCaller, service: string, id: string, mutations: Mutation[], options: WriteOptions = {}): Promise<SyncWriteResult> {
    return this.write(caller, service, id, (current) => ({ data: applyMutations(current.data, mutations) }), options);
  }

  /** Soft delete: `deleted: true`, revision + 1; reads answer `NOT_FOUND` unless asked for deleted ones. */
  delete(caller: SyncCaller, service: string, id: string, options: { expectedRevision?: number } = {}): Promise<SyncWriteResult> {
    return this.write(caller, service, id, () => ({ deleted: true }), options);
  }

  private async write(
    caller: SyncCaller,
    service: string,
    id: string,
    transform: (current: SyncDocument) => DocumentChange,
    options: WriteOptions,
  ): Promise<SyncWriteResult> {
    const { realm, readable } = caller;
    const expiresAt = resolveExpiry(options);
    const storeOptions: WriteDocumentOptions = {
      ...(options.expectedRevision === undefined ? {} : { expectedRevision: options.expectedRevision }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    };
    let result: WriteResult;
    try {
      result = await this.store.write(realm, service, id, transform, storeOptions);
    } catch (err) {
      throw readable ? err : withoutData(err);
    }
    await this.publishChange(realm, result.current.deleted === true ? 'deleted' : 'updated', result.previous, result.current, caller.userId);
    return documentView(result.current, readable);
  }

  private async publishChange(realm: string, action: SyncAction, previous: SyncDocument | undefined, current: SyncDocument, userId: string): Promise<void> {
    // The event carries the 'both' shape; the publisher's shaper trims it per subscriber.
    await this.publisher.publish({
      realm,
      topic: syncTopic(current.service, action),
      source: 'sync',
      type: `sync.${action}`,
      payload: {
        ...current,
        previousRevision: previous?.revision ?? 0,
        patch: diffData(previous?.data ?? {}, current.data),
      },
      metadata: { revision: current.revision, publisher: userId },
    });
  }
}

/**
 * A store error as a caller without `R` may see it: a `CONFLICT` keeps the current revision (and the
 * rest of the metadata) in `details.current`, without the data.
 */
function withoutData(err: unknown): unknown {
  if (!(err instanceof ConflictError)) return err;
  const current = (err.details as { current?: SyncDocument } | undefined)?.current;
  if (current === undefined) return err;
  return new ConflictError(err.message, { details: { current: documentMetadata(current) }, cause: err });
}

/** `expiresAt` (Unix ms, or null to clear) or `ttl` (seconds from now), never both. */
function resolveExpiry(input: { expiresAt?: number | null; ttl?: number }): number | null | undefined {
  if (input.ttl !== undefined && input.expiresAt !== undefined) {
    throw new InvalidArgumentError('Give either expiresAt or ttl, not both');
  }
  if (input.ttl !== undefined) return Date.now() + input.ttl * 1000;
  return input.expiresAt;
}
