import type { FeatureFactory } from '../kernel/feature.js';
import { syncOperations } from './sync-operations.js';
import { syncRoutes } from './sync-routes.js';

/**
 * Sync documents: `sync:*` over the socket and `/api/sync/:service/documents` over REST, one set of
 * operations behind both.
 *
 * @example
 * const feature = syncFeature({ services, limits, logger });
 */
export const syncFeature: FeatureFactory = ({ services }) => {
  const operations = syncOperations(services.sync);
  return { name: 'sync', operations, routes: syncRoutes(operations, services.rateLimits) };
};
