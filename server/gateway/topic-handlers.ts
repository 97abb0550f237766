import type { Logger } from 'pino';
import { LimitExceededError, type RealtimeEvent, type SubscribeResult } from '../../shared/index.js';
import { resolveRealm } from '../auth/permissions.js';
import type { ResolvedLimits } from '../config.js';
import { assertPayloadSize } from '../validation/payload-size.js';
import { publishSchema, subscribeSchema, unsubscribeSchema } from '../validation/topic-schemas.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { assertFilterBudget } from '../events/filter-budget.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { onRequest } from './request-handler.js';
import { assertCanPublish, assertCanSubscribe } from '../events/topic-access.js';
import type { RealtimeSocket } from '../socket-types.js';
import { topicRoom, type Subscription, type SubscriptionIndex } from '../events/subscription-index.js';

/** What the topic handlers need from the gateway. */
export interface TopicHandlerContext {
  logger: Logger;
  limits: ResolvedLimits;
  rateLimits: RateLimits;
  subscriptions: SubscriptionIndex;
  publisher: EventPublisher;
}

/**
 * Registers `subscribe`, `unsubscribe` and `topic:publish` on a connection.
 *
 * Subscribing needs `R` on `topic/<topic>`, publishing `C`. Subscribing again with an id the
 * connection already uses replaces that subscription (this is how a client re-sends its
 * subscriptions after a reconnect without creating duplicates). Both are rate limited (see
 * RateLimits): every request counts, checked before anything else.
 *
 * @example
 * registerTopicHandlers(socket, context);
 */
export function registerTopicHandlers(socket: RealtimeSocket, context: TopicHandlerContext): void {
  const { logger, limits, rateLimits, subscriptions, publisher } = context;
  let generatedIds = 0;

  onRequest(socket, logger, 'subscribe', subscribeSchema, async (request): Promise<SubscribeResult> => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('subscribes', principal, realm, socket.id);
    assertCanSubscribe(principal, realm, request.topic);
    const subscriptionId = request.subscriptionId ?? `srv_${++generatedIds}`;
    const replacing = subscriptions.ofSocket(socket.id).some((existing) => existing.id === subscriptionId);
    if (!replacing && subscriptions.count(socket.id) >= limits.maxSubscriptionsPerConnection) {
      throw new LimitExceededError(
        `A connection may hold at most ${limits.maxSubscriptionsPerConnection} subscriptions`,
        { details: { limit: limits.maxSubscriptionsPerConnection } },
      );
    }
    assertFilterBudget(subscriptions, socket.id, subscriptionId, request.filter, limits.maxFilterCostPerConnection);
    const room = topicRoom(realm, request.topic);
    const subscription: Subscription = {
      id: subscriptionId,
      socketId: socket.id,
      realm,
      topic: request.topic,
      room,
      returnMode: request.returnMode ?? 'full',
      ...(request.filter === undefined ? {} : { filter: request.filter }),
    };
    const previous = subscriptions.add(subscription);
    if (previous !== undefined && previous.room !== room && !subscriptions.hasRoom(socket.id, previous.room)) {
      void socket.leave(previous.room);
    }
    void socket.join(room);
    const result: SubscribeResult = { subscriptionId, realm, topic: request.topic };
    // Live first, then history: whatever is published in between is held and released after the
    // replay, so a resubscription sees its whole gap in order and nothing twice.
    if (request.since !== undefined) {
      const replay = await publisher.recover(socket, subscription, request.since);
      result.recovered = replay.recovered;
    }
    const position = await publisher.head(realm, request.topic);
    if (position !== undefined) result.position = position;
    return result;
  });

  onRequest(socket, logger, 'unsubscribe', unsubscribeSchema, ({ subscriptionId }) => {
    const removed = subscriptions.remove(socket.id, subscriptionId);
    if (removed !== undefined && !subscriptions.hasRoom(socket.id, removed.room)) void socket.leave(removed.room);
    // Unsubscribing twice is harmless: the goal (no such subscription) holds either way.
    return { subscriptionId };
  });

  onRequest(socket, logger, 'topic:publish', publishSchema, async (request): Promise<RealtimeEvent> => {
    const principal = socket.data.principal;
    const realm = resolveRealm(principal, request.realm);
    await rateLimits.consume('publishes', principal, realm, socket.id);
    assertCanPublish(principal, realm, request.topic, request.type);
    assertPayloadSize(request.payload, limits.maxPayloadBytes, 'payload');
    return publisher.publish({
      realm,
      topic: request.topic,
      source: 'socket',
      type: request.type ?? 'socket.publish',
      payload: request.payload,
      metadata: { publisher: principal.userId },
    });
  });

  socket.on('disconnect', () => {
    subscriptions.removeSocket(socket.id);
    publisher.dropSocket(socket.id);
  });
}
