import type { FeatureFactory } from '../kernel/feature.js';
import { registryRoutes } from './registry-routes.js';

/**
 * The topic and schema registry: `/api/topics` and `/api/schemas/:topic` (REST only). Publishes
 * are checked against a topic's active schema by the topics feature (`topic:publish`).
 *
 * @example
 * const feature = registryFeature({ services, limits, logger });
 */
export const registryFeature: FeatureFactory = ({ services }) => ({ name: 'registry', routes: registryRoutes(services.registry) });
