import type { FeatureFactory } from '../kernel/feature.js';
import { presenceOperations } from './presence-operations.js';
import { presenceRoutes } from './presence-routes.js';

/**
 * Presence: channel and document members, states, open documents and data-provider status, over
 * the socket and REST. A closed connection leaves every presence set (the gateway registered it,
 * with its `dpv` data providers, during the handshake).
 *
 * @example
 * const feature = presenceFeature({ services, limits, logger });
 */
export const presenceFeature: FeatureFactory = ({ services, limits }) => {
  const operations = presenceOperations(services.presence, limits);
  const { connections: _connections, ...socketOperations } = operations;
  return {
    name: 'presence',
    operations: socketOperations,
    routes: presenceRoutes(operations, services.rateLimits),
    disconnect: (socket) => services.presence.disconnect(socket.id),
  };
};
