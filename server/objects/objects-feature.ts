import type { FeatureFactory } from '../kernel/feature.js';
import { areaOperations } from './area-operations.js';
import { feedOperations } from './feed-operations.js';
import { objectOperations } from './object-operations.js';
import { objectRoutes } from './object-routes.js';
import { pubsubOperations } from './pubsub-operations.js';
import { realmOperations } from './realm-operations.js';

/**
 * Hivekit objects: realm records, objects, areas, history, search and pub/sub over the socket and
 * under `/api/realms` over REST; object, area and realm feeds and pub/sub subscriptions on the
 * socket only, dropped when their connection closes.
 *
 * @example
 * const feature = objectsFeature({ services, limits, logger });
 */
export const objectsFeature: FeatureFactory = ({ services, limits }) => {
  const { objects, objectDelivery: delivery, objectBus: bus } = services;
  const operations = {
    realms: realmOperations(objects),
    objects: objectOperations(objects),
    areas: areaOperations(objects),
    pubsub: pubsubOperations(bus, delivery.pubsub, limits.maxPayloadBytes),
  };
  return {
    name: 'objects',
    operations: { ...operations.realms, ...operations.objects, ...operations.areas, ...operations.pubsub, ...feedOperations(objects, delivery) },
    routes: objectRoutes(operations, services.rateLimits),
    disconnect: (socket) => delivery.dropConnection(socket.id),
  };
};
