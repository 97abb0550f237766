import type { Logger } from 'pino';
import type { SyncService } from '../sync/sync-service.js';
import {
  createDocumentSchema,
  deleteDocumentSchema,
  getDocumentSchema,
  listDocumentsSchema,
  mutateDocumentSchema,
  writeDocumentSchema,
} from '../validation/sync-schemas.js';
import { onRequest } from './request-handler.js';
import type { RealtimeSocket } from './socket-types.js';

/**
 * Registers the `sync:*` requests on a connection; each is a thin adapter over {@link SyncService}.
 *
 * @example
 * registerSyncHandlers(socket, { logger, sync });
 */
export function registerSyncHandlers(socket: RealtimeSocket, context: { logger: Logger; sync: SyncService }): void {
  const { logger, sync } = context;
  const caller = (realm: string | undefined) => ({ principal: socket.data.principal, ...(realm === undefined ? {} : { realm }) });

  onRequest(socket, logger, 'sync:create', createDocumentSchema, ({ realm, service, ...input }) =>
    sync.create(caller(realm), service, input),
  );
  onRequest(socket, logger, 'sync:get', getDocumentSchema, ({ realm, service, id, includeDeleted }) =>
    sync.get(caller(realm), service, id, includeDeleted),
  );
  onRequest(socket, logger, 'sync:list', listDocumentsSchema, ({ realm, service, ...options }) =>
    sync.list(caller(realm), service, options),
  );
  onRequest(socket, logger, 'sync:replace', writeDocumentSchema, ({ realm, service, id, data, ...options }) =>
    sync.replace(caller(realm), service, id, data, options),
  );
  onRequest(socket, logger, 'sync:merge', writeDocumentSchema, ({ realm, service, id, data, ...options }) =>
    sync.merge(caller(realm), service, id, data, options),
  );
  onRequest(socket, logger, 'sync:mutate', mutateDocumentSchema, ({ realm, service, id, mutations, ...options }) =>
    sync.mutate(caller(realm), service, id, mutations, options),
  );
  onRequest(socket, logger, 'sync:delete', deleteDocumentSchema, ({ realm, service, id, expectedRevision }) =>
    sync.delete(caller(realm), service, id, expectedRevision === undefined ? {} : { expectedRevision }),
  );
}
