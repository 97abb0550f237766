import type { WebhookDeliveryView, WebhookEndpointView } from '../../shared/index.js';
import { previousSecretExpiresAt } from './webhook-secrets.js';
import type { StoredDelivery, StoredEndpoint } from './webhook-store.js';

/**
 * An endpoint as REST shows it: everything but its secrets.
 *
 * @example
 * res.json(endpointView(endpoint, Date.now()));
 */
export function endpointView(endpoint: StoredEndpoint, now: number): WebhookEndpointView {
  const rotatedUntil = previousSecretExpiresAt(endpoint, now);
  return {
    id: endpoint.id,
    realm: endpoint.realm,
    url: endpoint.url,
    ...(endpoint.description === undefined ? {} : { description: endpoint.description }),
    events: [...endpoint.events],
    topics: [...endpoint.topics],
    active: endpoint.active,
    ...(endpoint.disabledReason === undefined ? {} : { disabledReason: endpoint.disabledReason }),
    ...(endpoint.disabledAt === undefined ? {} : { disabledAt: endpoint.disabledAt }),
    consecutiveFailures: endpoint.consecutiveFailures,
    ...(endpoint.failingSince === undefined ? {} : { failingSince: endpoint.failingSince }),
    ...(rotatedUntil === undefined ? {} : { previousSecretExpiresAt: rotatedUntil }),
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

/**
 * A delivery as REST shows it (without its body).
 *
 * @example
 * res.json(deliveryView(delivery));
 */
export function deliveryView(delivery: StoredDelivery): WebhookDeliveryView {
  return {
    id: delivery.id,
    webhookId: delivery.webhookId,
    realm: delivery.realm,
    event: delivery.eventType,
    eventId: delivery.eventId,
    topic: delivery.topic,
    status: delivery.status,
    success: delivery.status === 'succeeded',
    attempts: delivery.attempts,
    ...(delivery.statusCode === undefined ? {} : { statusCode: delivery.statusCode }),
    ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }),
    ...(delivery.durationMs === undefined ? {} : { durationMs: delivery.durationMs }),
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
    ...(delivery.lastAttemptAt === undefined ? {} : { lastAttemptAt: delivery.lastAttemptAt }),
    ...(delivery.nextAttemptAt === undefined ? {} : { nextAttemptAt: delivery.nextAttemptAt }),
    ...(delivery.deliveredAt === undefined ? {} : { deliveredAt: delivery.deliveredAt }),
    ...(delivery.failedAt === undefined ? {} : { failedAt: delivery.failedAt }),
    redeliveries: delivery.redeliveries,
  };
}
