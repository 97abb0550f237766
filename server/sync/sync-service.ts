import {
  ConflictError,
  InvalidArgumentError,
  syncTopic,
  type DocumentListPage,
  type Mutation,
  type Principal,
  type SyncAction,
  type SyncDocument,
  type SyncWriteResult,
  type WriteOptions,
} from '../../shared/index.js';
import { assertCan, can, docResource, resolveRealm } from '../auth/permissions.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { newDocumentId } from '../ids.js';
import { documentMetadata, documentView } from './document-metadata.js';
import { applyMergePatch, applyMutations, diffData } from './document-operations.js';
import { listReadable } from './readable-listing.js';
import { shapeSyncEvent, syncEventResource } from './sync-event-shaper.js';
import type { DocumentChange, DocumentStore, WriteDocumentOptions, WriteResult } from './document-store.js';

/** Who is asking, and in which realm (`undefined`: the token's only realm). */
export interface SyncCaller {
  principal: Principal;
  realm?: string;
}

/** `create` input. */
export interface CreateInput {
  id?: string;
  data: Record<string, unknown>;
  expiresAt?: number;
  ttl?: number;
}

/**
 * The revisioned document service: checks permissions (`C R U D` on `doc/<service>/<id>`), runs
 * every write through the store's compare-and-set primitive, and publishes each write as a
 * RealtimeEvent on `sync.<service>.<created|updated|deleted>`. Socket handlers and REST routes
 * are thin adapters over it, so both paths behave the same.
 *
 * Nothing reads through a write: a caller without `R` on the document gets only its metadata
 * back from a write (`SyncDocumentMetadata`: no `data`), and a `CONFLICT` it causes carries the
 * current revision in `details.current` without the data.
 *
 * @example
 * const doc = await sync.merge({ principal }, 'notes', 'n1', { title: 'Hi' }, { expectedRevision: 3 });
 */
export class SyncService {
  constructor(
    private readonly store: DocumentStore,
    private readonly publisher: EventPublisher,
  ) {
    publisher.addShaper(shapeSyncEvent);
    publisher.addReadCheck(syncEventResource);
  }

  /** Creates a document (needs `C`); answers it whole with `R`, else its metadata. */
  async create(caller: SyncCaller, service: string, input: CreateInput): Promise<SyncWriteResult> {
    const realm = resolveRealm(caller.principal, caller.realm);
    const id = input.id ?? newDocumentId();
    assertCan(caller.principal, realm, docResource(service, id), 'C');
    const expiresAt = resolveExpiry(input);
    const document = await this.store.create(realm, service, {
      id,
      data: input.data,
      ...(expiresAt === undefined || expiresAt === null ? {} : { expiresAt }),
    });
    await this.publishChange(realm, 'created', undefined, document, caller.principal);
    return documentView(document, can(caller.principal, realm, docResource(service, id), 'R'));
  }

  async get(caller: SyncCaller, service: string, id: string, includeDeleted = false): Promise<SyncDocument> {
    const realm = resolveRealm(caller.principal, caller.realm);
    assertCan(caller.principal, realm, docResource(service, id), 'R');
    return this.store.get(realm, service, id, { includeDeleted });
  }

  /**
   * Live documents the caller may read, ordered by id; `nextCursor` (present while more readable
   * documents follow) is the id of the page's last item, never a document it may not read (see
   * {@link listReadable}).
   */
  async list(caller: SyncCaller, service: string, options: { limit?: number; after?: string }): Promise<DocumentListPage> {
    const { principal } = caller;
    const realm = resolveRealm(principal, caller.realm);
    return listReadable(this.store, realm, service, options, {
      // `*` as an id: only a grant covering every id of the service matches it.
      readsAll: can(principal, realm, docResource(service, '*'), 'R'),
      readable: (id) => can(principal, realm, docResource(service, id), 'R'),
    });
  }

  replace(caller: SyncCaller, service: string, id: string, data: Record<string, unknown>, options: WriteOptions = {}): Promise<SyncWriteResult> {
    return this.write(caller, service, id, 'U', () => ({ data }), options);
  }

  /** RFC 7386 JSON Merge Patch: objects merge deeply, `null` removes a key, anything else replaces. */
  merge(caller: SyncCaller, service: string, id: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<SyncWriteResult> {
    return this.write(caller, service, id, 'U', (current) => ({ data: applyMergePatch(current.data, patch) }), options);
  }

  /** `set`, `increment`, `remove`, `append` on JSON Pointer paths, applied together as one revision. */
  mutate(caller: SyncCaller, service: string, id: string, mutations: Mutation[], options: WriteOptions = {}): Promise<SyncWriteResult> {
    return this.write(caller, service, id, 'U', (current) => ({ data: applyMutations(current.data, mutations) }), options);
  }

  /** Soft delete: `deleted: true`, revision + 1; reads answer `NOT_FOUND` unless asked for deleted ones. */
  delete(caller: SyncCaller, service: string, id: string, options: { expectedRevision?: number } = {}): Promise<SyncWriteResult> {
    return this.write(caller, service, id, 'D', () => ({ deleted: true }), options);
  }

  private async write(
    caller: SyncCaller,
    service: string,
    id: string,
    letter: 'U' | 'D',
    transform: (current: SyncDocument) => DocumentChange,
    options: WriteOptions,
  ): Promise<SyncWriteResult> {
    const realm = resolveRealm(caller.principal, caller.realm);
    const resource = docResource(service, id);
    assertCan(caller.principal, realm, resource, letter);
    const readable = can(caller.principal, realm, resource, 'R');
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
    await this.publishChange(realm, result.current.deleted === true ? 'deleted' : 'updated', result.previous, result.current, caller.principal);
    return documentView(result.current, readable);
  }

  private async publishChange(
    realm: string,
    action: SyncAction,
    previous: SyncDocument | undefined,
    current: SyncDocument,
    principal: Principal,
  ): Promise<void> {
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
      metadata: { revision: current.revision, publisher: principal.userId },
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
