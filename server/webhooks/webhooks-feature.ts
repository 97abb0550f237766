import type { FeatureFactory } from '../kernel/feature.js';
import { webhookRoutes } from './webhook-routes.js';

/**
 * Webhooks: endpoint management, delivery logs and dead letters under `/api/webhooks`, for the
 * realm's admins (REST only).
 *
 * @example
 * const feature = webhooksFeature({ services, limits, logger });
 */
export const webhooksFeature: FeatureFactory = ({ services }) => ({ name: 'webhooks', routes: webhookRoutes(services.webhooks) });
