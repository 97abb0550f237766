import type { FeatureFactory } from '../kernel/feature.js';
import { databaseEventsRoutes } from './database-events-routes.js';

/**
 * Database events: `/api/database/mappings` (REST only). The sources run as a service
 * (`services.databaseEvents`), started and closed with the others.
 *
 * @example
 * const feature = databaseEventsFeature({ services, limits, logger });
 */
export const databaseEventsFeature: FeatureFactory = ({ services }) => ({ name: 'database-events', routes: databaseEventsRoutes(services.databaseEvents) });
