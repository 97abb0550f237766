import type { FeatureFactory } from '../kernel/feature.js';
import { recordOperations } from './record-operations.js';
import { RecordSubscriptions } from './record-subscriptions.js';

/**
 * Records (deepstream's named documents, stored as sync documents of the `records` service):
 * record subscriptions for listening and `hasProvider`. Reads and writes are sync operations.
 *
 * @example
 * const feature = recordsFeature({ services, limits, logger });
 */
export const recordsFeature: FeatureFactory = ({ services, limits }) => {
  const followed = new RecordSubscriptions(limits.maxSubscriptionsPerConnection);
  return {
    name: 'records',
    operations: recordOperations(services.listening, followed),
    disconnect: (socket) => followed.forget(socket.id),
  };
};
