import { Router } from 'express';
import type { FeatureFactory } from '../kernel/feature.js';
import { bodyOf, restOperation } from '../kernel/rest-requests.js';
import { topicOperations, topicSubscriptionsEnded } from './topic-operations.js';

/**
 * Domain topics: subscriptions with filters and recovery over the socket, publishing over the
 * socket and over REST (`POST /api/events`: `{ topic, type?, payload, realm? }`, answered `201`
 * with the created RealtimeEvent, or 429 with `Retry-After` over the `publishes` rate limits).
 *
 * @example
 * const feature = topicsFeature({ services, limits, logger });
 */
export const topicsFeature: FeatureFactory = ({ services, limits }) => {
  const { subscriptions, publisher, rateLimits } = services;
  const operations = topicOperations(services, limits);
  const routes = Router();
  routes.post('/events', ...restOperation(operations['topic:publish'], rateLimits, { input: bodyOf, respond: (res, event) => res.status(201).json(event) }));
  return {
    name: 'topics',
    operations,
    routes,
    disconnect: (socket) => {
      topicSubscriptionsEnded(services, subscriptions.removeSocket(socket.id));
      publisher.dropSocket(socket.id);
    },
  };
};
