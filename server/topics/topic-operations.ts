import {
  LimitExceededError,
  publishRequestSchema,
  subscribeRequestSchema,
  unsubscribeRequestSchema,
  type RealtimeEvent,
  type SubscribeResult,
} from '../../shared/index.js';
import type { ResolvedLimits } from '../config.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { assertFilterBudget } from '../events/filter-budget.js';
import { topicRoom, type Subscription, type SubscriptionIndex } from '../events/subscription-index.js';
import { defineOperation, type ConnectionContext, type SocketOperationContext } from '../kernel/operation.js';
import { assertPayloadSize } from '../limits/payload-size.js';
import type { ListeningRegistry } from '../listening/listening-registry.js';
import { publishRequirements, subscribeRequirements } from './topic-rights.js';
import type { TopicRegistry } from '../registry/topic-registry.js';

/** What the topic operations need. */
export interface TopicServices {
  subscriptions: SubscriptionIndex;
  publisher: EventPublisher;
  /** Hears of each topic's first and last subscriber on this node, so that listeners provide the topics somebody wants. */
  listening: ListeningRegistry;
  /** Checks publishes against their topic's active schema. */
  registry: TopicRegistry;
}

/**
 * `subscribe`, `unsubscribe` and `topic:publish` (also `POST /api/events`).
 *
 * Subscribing needs `R` on `topic/<topic>` (document change topics are open: each delivery is
 * checked against the document), publishing `C` and a topic the server does not reserve.
 * Subscribing again with an id the connection already uses replaces that subscription (this is
 * how a client re-sends its subscriptions after a reconnect without creating duplicates). Both
 * count against their rate limits (`subscribes`, `publishes`), checked before anything else.
 *
 * @example
 * serveOperations(table, topicOperations(services, limits), deps);
 */
export function topicOperations({ subscriptions, publisher, listening, registry }: TopicServices, limits: ResolvedLimits) {
  const generatedIds = new WeakMap<object, number>();
  /** After a subscription ended (unsubscribed or replaced): the connection leaves the room once none of its subscriptions is in it. */
  const leftSubscription = (socket: SocketOperationContext['socket'], ended: Subscription): void => {
    if (!subscriptions.hasRoom(socket.id, ended.room)) void socket.leave(ended.room);
    topicSubscriptionsEnded({ subscriptions, listening }, [ended]);
  };

  const subscribe = defineOperation({
    name: 'subscribe',
    input: subscribeRequestSchema,
    rateLimit: 'subscribes',
    requires: ({ topic }) => subscribeRequirements(topic),
    run: async (request, { realm, socket }: SocketOperationContext): Promise<SubscribeResult> => {
      const next = (generatedIds.get(socket) ?? 0) + 1;
      const subscriptionId = request.subscriptionId ?? `srv_${next}`;
      if (request.subscriptionId === undefined) generatedIds.set(socket, next);
      const replacing = subscriptions.ofSocket(socket.id).some((existing) => existing.id === subscriptionId);
      if (!replacing && subscriptions.count(socket.id) >= limits.maxSubscriptionsPerConnection) {
        throw new LimitExceededError(`A connection may hold at most ${limits.maxSubscriptionsPerConnection} subscriptions`, {
          details: { limit: limits.maxSubscriptionsPerConnection },
        });
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
      const opened = subscriptions.roomSize(room) === 0;
      const previous = subscriptions.add(subscription);
      void socket.join(room);
      // The topic's room is its listening room too: listening hears of its first and last subscriber here.
      if (opened) listening.streamOpened({ realm, kind: 'topic', name: request.topic });
      if (previous !== undefined && previous.room !== room) leftSubscription(socket, previous);
      const result: SubscribeResult = { subscriptionId, realm, topic: request.topic };
      // Live first, then history: whatever is published in between is held and released after the
      // replay, so a resubscription sees its whole gap in order and nothing twice.
      // With sharded channels the starting position is read only once this node receives the
      // topic's events from other nodes (recover waits for that itself, while holding).
      if (request.since !== undefined) {
        const replay = await publisher.recover(socket, subscription, request.since);
        result.recovered = replay.recovered;
      } else {
        await publisher.ready(realm, request.topic);
      }
      const position = await publisher.head(realm, request.topic);
      if (position !== undefined) result.position = position;
      return result;
    },
  });

  const unsubscribe = defineOperation({
    name: 'unsubscribe',
    input: unsubscribeRequestSchema,
    scope: 'connection',
    run: ({ subscriptionId }, { socket }: ConnectionContext) => {
      const removed = subscriptions.remove(socket.id, subscriptionId);
      if (removed !== undefined) leftSubscription(socket, removed);
      // Unsubscribing twice is harmless: the goal (no such subscription) holds either way.
      return { subscriptionId };
    },
  });

  const publish = defineOperation({
    name: 'topic:publish',
    input: publishRequestSchema,
    rateLimit: 'publishes',
    requires: ({ topic, type }) => publishRequirements(topic, type),
    run: async (request, { realm, principal, connectionId }): Promise<RealtimeEvent> => {
      assertPayloadSize(request.payload, limits.maxPayloadBytes, 'payload');
      await registry.checkPublish(realm, request.topic, request.payload);
      const viaSocket = connectionId !== undefined;
      return publisher.publish({
        realm,
        topic: request.topic,
        source: viaSocket ? 'socket' : 'api',
        type: request.type ?? (viaSocket ? 'socket.publish' : 'api.publish'),
        payload: request.payload,
        metadata: { publisher: principal.userId },
      });
    },
  });

  return { subscribe, unsubscribe, 'topic:publish': publish } as const;
}

/**
 * Tells listening of each topic that these ended subscriptions left without a subscriber on this
 * node (their connections are out of the rooms by now), so its provider stops when nobody anywhere
 * subscribes.
 *
 * @example
 * topicSubscriptionsEnded(services, subscriptions.removeSocket(socket.id)); // on disconnect
 */
export function topicSubscriptionsEnded(
  { subscriptions, listening }: Pick<TopicServices, 'subscriptions' | 'listening'>,
  ended: readonly Subscription[],
): void {
  const closed = new Set<string>();
  for (const { realm, topic, room } of ended) {
    if (closed.has(room) || subscriptions.roomSize(room) > 0) continue;
    closed.add(room);
    listening.streamClosed({ realm, kind: 'topic', name: topic });
  }
}
