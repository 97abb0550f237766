import { RECORD_SERVICE, recordDocumentId, recordSubscriptionRequestSchema, type RecordSubscriptionResult } from '../../shared/index.js';
import { docResource } from '../auth/permissions.js';
import { defineOperation, type SocketOperationContext } from '../kernel/operation.js';
import type { ListeningRegistry } from '../listening/listening-registry.js';
import type { RecordSubscriptions } from './record-subscriptions.js';

/**
 * `record:subscribe` and `record:unsubscribe`: a connection follows a record (its data reaches it
 * through the sync change topics of `doc/records/<id>`), and the listening registry hears of the
 * record's first subscriber and its last (kind `record`), so record listeners are offered it and
 * stopped, and subscribers hear `listen:provider`.
 *
 * Following a record needs `R` on its document (`doc/records/<id>`, see `recordDocumentId`) and
 * counts against the `subscribes` rate limit; unsubscribing needs a granted realm only.
 *
 * @example
 * serveOperations(table, recordOperations(listening, followed), deps);
 */
export function recordOperations(listening: ListeningRegistry, followed: RecordSubscriptions) {
  const subscribe = defineOperation({
    name: 'record:subscribe',
    input: recordSubscriptionRequestSchema,
    rateLimit: 'subscribes',
    requires: ({ name }) => [{ resource: docResource(RECORD_SERVICE, recordDocumentId(name)), right: 'R' }],
    run: async ({ name }, { realm, socket }: SocketOperationContext): Promise<RecordSubscriptionResult> => {
      if (followed.add(socket.id, realm, name)) listening.subscriberAdded(realm, 'record', name, socket.id);
      return { realm, name, hasProvider: await listening.hasProvider(realm, 'record', name) };
    },
  });

  const unsubscribe = defineOperation({
    name: 'record:unsubscribe',
    input: recordSubscriptionRequestSchema,
    run: async ({ name }, { realm, socket }: SocketOperationContext): Promise<RecordSubscriptionResult> => {
      if (followed.remove(socket.id, realm, name)) listening.subscriberRemoved(realm, 'record', name, socket.id);
      return { realm, name, hasProvider: await listening.hasProvider(realm, 'record', name) };
    },
  });

  return { 'record:subscribe': subscribe, 'record:unsubscribe': unsubscribe } as const;
}
