import { pubsubPublishRequestSchema, pubsubSubscribeRequestSchema, pubsubUnsubscribeRequestSchema } from '../../shared/index.js';
import { objectResource } from '../auth/permissions.js';
import { defineOperation, type ConnectionContext, type SocketOperationContext } from '../kernel/operation.js';
import { assertPayloadSize } from '../limits/payload-size.js';
import type { ObjectBus } from './object-bus.js';
import type { PubsubRouter } from './pubsub-router.js';

/**
 * Realm pub/sub: `pubsub:publish` (also `POST /api/realms/:realm/pubsub/:event`) needs `C` on
 * `object/<id>` and counts against the `messages` rate limits; `pubsub:subscribe` (socket only)
 * needs the realm granted and counts against `subscribes`, and each message reaches only
 * connections that may read `object/<id>`; `pubsub:unsubscribe` ends one of the caller's own.
 *
 * @example
 * const operations = pubsubOperations(bus, router, limits.maxPayloadBytes);
 */
export function pubsubOperations(bus: ObjectBus, router: PubsubRouter, maxPayloadBytes: number) {
  const publish = defineOperation({
    name: 'pubsub:publish',
    input: pubsubPublishRequestSchema,
    rateLimit: 'messages',
    requires: ({ id }) => [{ resource: objectResource(id), right: 'C' }],
    run: ({ event, id, data }, { realm }) => {
      assertPayloadSize(data ?? null, maxPayloadBytes, 'data');
      bus.publish({ kind: 'pubsub', message: { realm, event, id, data: data ?? null } });
      return { realm, event, id };
    },
  });
  const subscribe = defineOperation({
    name: 'pubsub:subscribe',
    input: pubsubSubscribeRequestSchema,
    rateLimit: 'subscribes',
    run: ({ event, idPattern }, { realm, socket }: SocketOperationContext) => ({
      subscriptionId: router.subscribe(socket, realm, event, idPattern),
      realm,
    }),
  });
  const unsubscribe = defineOperation({
    name: 'pubsub:unsubscribe',
    input: pubsubUnsubscribeRequestSchema,
    scope: 'connection',
    run: ({ subscriptionId }, { socket }: ConnectionContext) => {
      router.unsubscribe(socket.id, subscriptionId);
      return { subscriptionId };
    },
  });
  return { 'pubsub:publish': publish, 'pubsub:subscribe': subscribe, 'pubsub:unsubscribe': unsubscribe } as const;
}
