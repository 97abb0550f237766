import { ulid } from 'ulid';
import {
  InvalidArgumentError,
  syncTopic,
  type DocumentListPage,
  type Mutation,
  type Principal,
  type SyncAction,
  type SyncDocument,
  type WriteOptions,
} from '../../shared/index.js';
import { assertCan, can, docResource, resolveRealm } from '../auth/permissions.js';
import type { EventPublisher } from '../gateway/event-publisher.js';
import { applyMergePatch, applyMutations, diffData } from './document-operations.js';
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

  async create(caller: SyncCaller, service: string, input: CreateInput): Promise<SyncDocument> {
    const realm = resolveRealm(caller.principal, caller.realm);
    const id = input.id ?? ulid();
    assertCan(caller.principal, realm, docResource(service, id), 'C');
    const expiresAt = resolveExpiry(input);
    const document = await this.store.create(realm, service, {
      id,
      data: input.data,
      ...(expiresAt === undefined || expiresAt === null ? {} : { expiresAt }),
    });
    await this.publishChange(realm, 'created', undefined, document, caller.principal);
    return document;
  }

  async get(caller: SyncCaller, service: string, id: string, includeDeleted = false): Promise<SyncDocument> {
    const realm = resolveRealm(caller.principal, caller.realm);
    assertCan(caller.principal, realm, docResource(service, id), 'R');
    return this.store.get(realm, service, id, { includeDeleted });
  }

  /** Live documents ordered by id; documents the caller may not read are left out of the page. */
  async list(caller: SyncCaller, service: string, options: { limit?: number; after?: string }): Promise<DocumentListPage> {
    const realm = resolveRealm(caller.principal, caller.realm);
    const page = await this.store.list(realm, service, options);
    const items = page.items.filter((doc) => can(caller.principal, realm, docResource(service, doc.id), 'R'));
    return page.nextCursor === undefined ? { items } : { items, nextCursor: page.nextCursor };
  }

  replace(caller: SyncCaller, service: string, id: string, data: Record<string, unknown>, options: WriteOptions = {}): Promise<SyncDocument> {
    return this.write(caller, service, id, 'U', () => ({ data }), options);
  }

  /** RFC 7386 JSON Merge Patch: objects merge deeply, `null` removes a key, anything else replaces. */
  merge(caller: SyncCaller, service: string, id: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<SyncDocument> {
    return this.write(caller, service, id, 'U', (current) => ({ data: applyMergePatch(current.data, patch) }), options);
  }

  /** `set`, `increment`, `remove`, `append` on JSON Pointer paths, applied together as one revision. */
  mutate(caller: SyncCaller, service: string, id: string, mutations: Mutation[], options: WriteOptions = {}): Promise<SyncDocument> {
    return this.write(caller, service, id, 'U', (current) => ({ data: applyMutations(current.data, mutations) }), options);
  }

  /** Soft delete: `deleted: true`, revision + 1; reads answer `NOT_FOUND` unless asked for deleted ones. */
  delete(caller: SyncCaller, service: string, id: string, options: { expectedRevision?: number } = {}): Promise<SyncDocument> {
    return this.write(caller, service, id, 'D', () => ({ deleted: true }), options);
  }

  private async write(
    caller: SyncCaller,
    service: string,
    id: string,
    letter: 'U' | 'D',
    transform: (current: SyncDocument) => DocumentChange,
    options: WriteOptions,
  ): Promise<SyncDocument> {
    const realm = resolveRealm(caller.principal, caller.realm);
    assertCan(caller.principal, realm, docResource(service, id), letter);
    const expiresAt = resolveExpiry(options);
    const storeOptions: WriteDocumentOptions = {
      ...(options.expectedRevision === undefined ? {} : { expectedRevision: options.expectedRevision }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    };
    const result: WriteResult = await this.store.write(realm, service, id, transform, storeOptions);
    await this.publishChange(realm, result.current.deleted === true ? 'deleted' : 'updated', result.previous, result.current, caller.principal);
    return result.current;
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

/** `expiresAt` (Unix ms, or null to clear) or `ttl` (seconds from now), never both. */
function resolveExpiry(input: { expiresAt?: number | null; ttl?: number }): number | null | undefined {
  if (input.ttl !== undefined && input.expiresAt !== undefined) {
    throw new InvalidArgumentError('Give either expiresAt or ttl, not both');
  }
  if (input.ttl !== undefined) return Date.now() + input.ttl * 1000;
  return input.expiresAt;
}
