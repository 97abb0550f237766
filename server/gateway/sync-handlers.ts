import type { Logger } from 'pino';
import { resolveRealm } from '../auth/permissions.js';
import type { RateLimits } from '../limits/rate-limits.js';
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
import type { RealtimeSocket } from '../socket-types.js';

/** What the sync handlers need from the gateway. */
export interface SyncHandlerContext {
  logger: Logger;
  sync: SyncService;
  rateLimits: RateLimits;
}

/**
 * Registers the `sync:*` requests on a connection; each is a thin adapter over {@link SyncService}.
 * Writes (create, replace, merge, mutate, delete) count against the `writes` rate limits (see
 * RateLimits), checked first; reads are not limited.
 *
 * @example
 * registerSyncHandlers(socket, { logger, sync, rateLimits });
 */
export function registerSyncHandlers(socket: RealtimeSocket, context: SyncHandlerContext): void {
  const { logger, sync, rateLimits } = context;
  const caller = (realm: string | undefined) => ({ principal: socket.data.principal, ...(realm === undefined ? {} : { realm }) });
  /** A writing caller: its realm resolved and one write counted against it. */
  const writer = async (realm: string | undefined) => {
    const principal = socket.data.principal;
    const resolved = resolveRealm(principal, realm);
    await rateLimits.consume('writes', principal, resolved, socket.id);
    return { principal, realm: resolved };
  };

  onRequest(socket, logger, 'sync:create', createDocumentSchema, async ({ realm, service, ...input }) =>
    sync.create(await writer(realm), service, input),
  );
  onRequest(socket, logger, 'sync:get', getDocumentSchema, ({ realm, service, id, includeDeleted }) =>
    sync.get(caller(realm), service, id, includeDeleted),
  );
  onRequest(socket, logger, 'sync:list', listDocumentsSchema, ({ realm, service, ...options }) =>
    sync.list(caller(realm), service, options),
  );
  onRequest(socket, logger, 'sync:replace', writeDocumentSchema, async ({ realm, service, id, data, ...options }) =>
    sync.replace(await writer(realm), service, id, data, options),
  );
  onRequest(socket, logger, 'sync:merge', writeDocumentSchema, async ({ realm, service, id, data, ...options }) =>
    sync.merge(await writer(realm), service, id, data, options),
  );
  onRequest(socket, logger, 'sync:mutate', mutateDocumentSchema, async ({ realm, service, id, mutations, ...options }) =>
    sync.mutate(await writer(realm), service, id, mutations, options),
  );
  onRequest(socket, logger, 'sync:delete', deleteDocumentSchema, async ({ realm, service, id, expectedRevision }) =>
    sync.delete(await writer(realm), service, id, expectedRevision === undefined ? {} : { expectedRevision }),
  );
}
