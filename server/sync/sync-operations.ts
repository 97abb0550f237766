import {
  createDocumentRequestSchema,
  deleteDocumentRequestSchema,
  getDocumentRequestSchema,
  listDocumentsRequestSchema,
  mutateDocumentRequestSchema,
  writeDocumentRequestSchema,
  type PermissionLetter,
} from '../../shared/index.js';
import { docResource } from '../auth/permissions.js';
import { newDocumentId } from '../ids.js';
import type { Access, Requirement } from '../kernel/access.js';
import { defineOperation } from '../kernel/operation.js';
import type { SyncCaller, SyncService } from './sync-service.js';

/** `right` on the addressed document. */
function onDocument({ service, id }: { service: string; id: string }, right: PermissionLetter): Requirement[] {
  return [{ resource: docResource(service, id), right }];
}

/** The writer as the service sees it: a writer without `R` gets the document's metadata only. */
function writer(access: Access, { service, id }: { service: string; id: string }): SyncCaller {
  return { realm: access.realm, userId: access.principal.userId, readable: access.can(docResource(service, id), 'R') };
}

/**
 * The `sync:*` operations (socket events and the REST routes of `/api/sync`): creating needs `C`
 * on `doc/<service>/<id>`, reading `R`, replacing, merging and mutating `U`, deleting `D`; listing
 * answers only the documents the caller may read. Writes count against the `writes` rate limits;
 * reads are not limited.
 *
 * @example
 * const operations = syncOperations(sync);
 */
export function syncOperations(sync: SyncService) {
  const create = defineOperation({
    name: 'sync:create',
    input: createDocumentRequestSchema,
    rateLimit: 'writes',
    prepare: (request) => ({ ...request, id: request.id ?? newDocumentId() }),
    requires: ({ service, id }) => onDocument({ service, id: id as string }, 'C'),
    run: ({ realm: _realm, service, id, ...input }, access) =>
      sync.create(writer(access, { service, id: id as string }), service, { ...input, id: id as string }),
  });
  const get = defineOperation({
    name: 'sync:get',
    input: getDocumentRequestSchema,
    requires: (request) => onDocument(request, 'R'),
    run: ({ service, id, includeDeleted }, { realm }) => sync.get(realm, service, id, includeDeleted),
  });
  const list = defineOperation({
    name: 'sync:list',
    input: listDocumentsRequestSchema,
    run: ({ realm: _realm, service, ...options }, access) =>
      sync.list(access.realm, service, options, {
        // `*` as an id: only a grant covering every id of the service matches it.
        readsAll: access.can(docResource(service, '*'), 'R'),
        readable: (id) => access.can(docResource(service, id), 'R'),
      }),
  });
  const replace = defineOperation({
    name: 'sync:replace',
    input: writeDocumentRequestSchema,
    rateLimit: 'writes',
    requires: (request) => onDocument(request, 'U'),
    run: ({ realm: _realm, service, id, data, ...options }, access) => sync.replace(writer(access, { service, id }), service, id, data, options),
  });
  const merge = defineOperation({
    name: 'sync:merge',
    input: writeDocumentRequestSchema,
    rateLimit: 'writes',
    requires: (request) => onDocument(request, 'U'),
    run: ({ realm: _realm, service, id, data, ...options }, access) => sync.merge(writer(access, { service, id }), service, id, data, options),
  });
  const mutate = defineOperation({
    name: 'sync:mutate',
    input: mutateDocumentRequestSchema,
    rateLimit: 'writes',
    requires: (request) => onDocument(request, 'U'),
    run: ({ realm: _realm, service, id, mutations, ...options }, access) => sync.mutate(writer(access, { service, id }), service, id, mutations, options),
  });
  const remove = defineOperation({
    name: 'sync:delete',
    input: deleteDocumentRequestSchema,
    rateLimit: 'writes',
    requires: (request) => onDocument(request, 'D'),
    run: ({ service, id, expectedRevision }, access) =>
      sync.delete(writer(access, { service, id }), service, id, expectedRevision === undefined ? {} : { expectedRevision }),
  });
  return {
    'sync:create': create,
    'sync:get': get,
    'sync:list': list,
    'sync:replace': replace,
    'sync:merge': merge,
    'sync:mutate': mutate,
    'sync:delete': remove,
  } as const;
}
