import type { DocumentListPage, Mutation, SyncDocument, SyncWriteResult, WriteOptions } from '../../shared/index.js';
import type { ExpiryOptions } from '../sync-client.js';
import { checkedRequest, realmOf, segment, sendIn, type RestScope, type ScopedCall } from './rest-scope.js';

/**
 * The expiry a REST write may set: `expiresAt` (Unix ms; `null` removes it) or `ttl` (seconds).
 *
 * @example
 * await rest.sync.merge('sessions', id, { seen: true }, undefined, { ttl: 3600 });
 */
export type WriteExpiryOptions = Pick<WriteOptions, 'expiresAt' | 'ttl'>;

/**
 * Sync documents over REST (`/api/sync/:service/documents`): `rest.sync`, the methods of
 * `client.sync` that are requests, with the same arguments, results and errors. Each request is
 * checked with its socket event's schema before it is sent. Writes answer the document, or its
 * metadata only (no `data`) for a token without `R`; a write with `expectedRevision` that lost
 * fails with `ConflictError` whose `details.current` is the current document. Writes refused with
 * `RATE_LIMITED` are retried after `retryAfterMs` (the server did nothing); reads are retried on
 * `UNAVAILABLE` and timeouts as well, writes are not (see `isRetryableRestFailure`).
 *
 * @example
 * const note = await rest.sync.create('notes', { title: 'Plan' });
 * await rest.sync.merge('notes', note.id, { done: true }, note.revision);
 */
export class RestSyncClient {
  constructor(private readonly scope: RestScope) {}

  /** Creates a document (revision 1, `201`); `id` is generated when absent. Needs `C`. */
  async create(service: string, data: Record<string, unknown>, id?: string, options: ExpiryOptions = {}): Promise<SyncWriteResult> {
    const {
      service: _service,
      realm: _realm,
      ...body
    } = checkedRequest('sync:create', {
      ...realmOf(this.scope),
      service,
      data,
      ...(id === undefined ? {} : { id }),
      ...options,
    });
    return this.send({ method: 'POST', path: documentsPath(service), body });
  }

  /** Reads a document; `NotFoundError` when missing, deleted (unless `includeDeleted`) or expired. Needs `R`. */
  async get(service: string, id: string, options: { includeDeleted?: boolean } = {}): Promise<SyncDocument> {
    checkedRequest('sync:get', { ...realmOf(this.scope), service, id, ...options });
    return this.send({ method: 'GET', path: documentPath(service, id), query: { includeDeleted: options.includeDeleted } });
  }

  /**
   * Live documents the token may read, by id, `limit` (default 100, at most 1000) per page; pass
   * `nextCursor` as `after`.
   */
  async list(service: string, options: { limit?: number; after?: string } = {}): Promise<DocumentListPage> {
    checkedRequest('sync:list', { ...realmOf(this.scope), service, ...options });
    return this.send({ method: 'GET', path: documentsPath(service), query: { limit: options.limit, after: options.after } });
  }

  /** Replaces the whole data (`PUT`). Needs `U`. */
  async replace(
    service: string,
    id: string,
    data: Record<string, unknown>,
    expectedRevision?: number,
    options: WriteExpiryOptions = {},
  ): Promise<SyncWriteResult> {
    const request = checkedRequest('sync:replace', { ...realmOf(this.scope), service, id, data, ...revision(expectedRevision), ...options });
    return this.send({ method: 'PUT', path: documentPath(service, id), body: bodyOf(request) });
  }

  /** Deep-merges (RFC 7386 JSON Merge Patch: `null` removes a key). Needs `U`. */
  async merge(
    service: string,
    id: string,
    data: Record<string, unknown>,
    expectedRevision?: number,
    options: WriteExpiryOptions = {},
  ): Promise<SyncWriteResult> {
    const request = checkedRequest('sync:merge', { ...realmOf(this.scope), service, id, data, ...revision(expectedRevision), ...options });
    return this.send({ method: 'PATCH', path: `${documentPath(service, id)}/merge`, body: bodyOf(request) });
  }

  /** Applies `set` / `increment` / `remove` / `append` mutations as one revision. Needs `U`. */
  async mutate(service: string, id: string, mutations: Mutation[], expectedRevision?: number, options: WriteExpiryOptions = {}): Promise<SyncWriteResult> {
    const request = checkedRequest('sync:mutate', { ...realmOf(this.scope), service, id, mutations, ...revision(expectedRevision), ...options });
    return this.send({ method: 'POST', path: `${documentPath(service, id)}/mutate`, body: bodyOf(request) });
  }

  /** Soft-deletes (`deleted: true`, revision + 1). Needs `D`. */
  async delete(service: string, id: string, expectedRevision?: number): Promise<SyncWriteResult> {
    const request = checkedRequest('sync:delete', { ...realmOf(this.scope), service, id, ...revision(expectedRevision) });
    return this.send({ method: 'DELETE', path: documentPath(service, id), body: bodyOf(request) });
  }

  private send<T>(call: ScopedCall): Promise<T> {
    return sendIn<T>(this.scope, call);
  }
}

function documentsPath(service: string): string {
  return `/api/sync/${segment(service)}/documents`;
}

function documentPath(service: string, id: string): string {
  return `${documentsPath(service)}/${segment(id)}`;
}

/** The body of a write: the request without what the path and `X-Realm` carry. */
function bodyOf(request: { service: string; id: string; realm?: string }): Record<string, unknown> {
  const { service: _service, id: _id, realm: _realm, ...body } = request;
  return body;
}

function revision(expectedRevision: number | undefined): { expectedRevision?: number } {
  return expectedRevision === undefined ? {} : { expectedRevision };
}
