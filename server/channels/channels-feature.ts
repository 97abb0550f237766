import type { FeatureFactory } from '../kernel/feature.js';
import { channelOperations } from './channel-operations.js';
import { channelRoutes } from './channel-routes.js';

/**
 * Channels and direct messages: join, leave, publish and direct over the socket; broadcast, direct
 * and the channel list over REST.
 *
 * @example
 * const feature = channelsFeature({ services, limits, logger });
 */
export const channelsFeature: FeatureFactory = ({ services, limits }) => {
  const operations = channelOperations(services, limits);
  const { list: _list, broadcast: _broadcast, ...socketOperations } = operations;
  return {
    name: 'channels',
    operations: socketOperations,
    routes: channelRoutes(operations, services.rateLimits),
    disconnect: (socket) => services.messenger.dropSocket(socket.id),
  };
};
