import type { FeatureFactory } from '../kernel/feature.js';
import { listeningOperations } from './listening-operations.js';

/**
 * Listening: listeners on topic and record patterns, offered streams as subscribers come, over
 * the socket. A closed connection's subscriptions and listens end with it.
 *
 * @example
 * const feature = listeningFeature({ services, limits, logger });
 */
export const listeningFeature: FeatureFactory = ({ services }) => ({
  name: 'listening',
  operations: listeningOperations(services.listening),
  disconnect: (socket) => services.listening.connectionClosed(socket),
});
