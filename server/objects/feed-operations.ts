import {
  areaSubscribeRequestSchema,
  feedCancelRequestSchema,
  feedUpdateRequestSchema,
  InvalidArgumentError,
  objectSubscribeRequestSchema,
  realmSubscribeRequestSchema,
  type FeedUpdateRequest,
  type ObjectSubscribeRequest,
} from '../../shared/index.js';
import { areaResource, hasRealm } from '../auth/permissions.js';
import { defineOperation, type ConnectionContext, type SocketOperationContext } from '../kernel/operation.js';
import type { ObjectDelivery } from './object-delivery.js';
import { matcherCriteria, type ObjectQuery } from './object-criteria.js';
import type { ObjectService } from './object-service.js';
import { namedRealms } from './realm-operations.js';

/** The query part of a subscribe or update request. */
function queryOf({ where, shape, area, target }: ObjectSubscribeRequest | FeedUpdateRequest): ObjectQuery {
  return {
    ...(where === undefined ? {} : { where }),
    ...(shape === undefined ? {} : { shape }),
    ...(area === undefined ? {} : { area }),
    ...(target === undefined ? {} : { target }),
  };
}

/**
 * The feed operations (socket only: a feed lives on its connection): `objects:subscribe`
 * (criteria; `executeImmediately` sends the whole set as `'full'` right after the
 * acknowledgement), `areas:subscribe`, `realms:subscribe`, `feed:update` (new criteria of an
 * object feed; the difference as one delta) and `feed:cancel`. Subscribing needs the realm
 * granted; what a feed delivers is what the connection may read (`R` on `object/<id>`,
 * `area/<id>`, the realm granted for realm records). Subscribes count against `subscribes`.
 *
 * @example
 * const operations = feedOperations(objects, delivery);
 */
export function feedOperations(objects: ObjectService, delivery: ObjectDelivery) {
  const subscribeObjects = defineOperation({
    name: 'objects:subscribe',
    input: objectSubscribeRequestSchema,
    rateLimit: 'subscribes',
    run: async (request, { realm, socket }: SocketOperationContext) => {
      const entry = delivery.registry.add(socket, 'objects', realm);
      try {
        await delivery.objectFeeds.add(entry, await matcherCriteria(objects.store, realm, queryOf(request)));
      } catch (err) {
        delivery.registry.remove(socket.id, entry.id);
        throw err;
      }
      if (request.executeImmediately === true) delivery.objectFeeds.sendFullSoon(entry.id);
      return { subscriptionId: entry.id, realm };
    },
  });
  const subscribeAreas = defineOperation({
    name: 'areas:subscribe',
    input: areaSubscribeRequestSchema,
    rateLimit: 'subscribes',
    run: async ({ executeImmediately }, { realm, socket, can }: SocketOperationContext) => {
      const entry = delivery.registry.add(socket, 'areas', realm);
      delivery.areaFeeds.add(entry);
      if (executeImmediately === true) {
        const areas = (await objects.listAreas(realm)).filter((area) => can(areaResource(area.id), 'R'));
        delivery.areaFeeds.sendFullSoon(entry, areas);
      }
      return { subscriptionId: entry.id, realm };
    },
  });
  const subscribeRealms = defineOperation({
    name: 'realms:subscribe',
    input: realmSubscribeRequestSchema,
    scope: 'connection',
    run: async ({ executeImmediately }, { principal, socket }: ConnectionContext) => {
      const entry = delivery.registry.add(socket, 'realms', '');
      delivery.realmFeeds.add(entry);
      if (executeImmediately === true) {
        const realms = (await objects.listRealms(namedRealms(principal))).filter((info) => hasRealm(principal, info.id));
        delivery.realmFeeds.sendFullSoon(entry, realms);
      }
      return { subscriptionId: entry.id, realm: '' };
    },
  });
  const update = defineOperation({
    name: 'feed:update',
    input: feedUpdateRequestSchema,
    scope: 'connection',
    run: async (request, { socket }: ConnectionContext) => {
      const entry = delivery.registry.get(socket.id, request.subscriptionId);
      if (entry.kind !== 'objects') {
        throw new InvalidArgumentError(`feed ${entry.id} is an ${entry.kind} feed: feed:update changes object feeds only`, {
          details: { subscriptionId: entry.id },
        });
      }
      delivery.objectFeeds.update(entry, await matcherCriteria(objects.store, entry.realm, queryOf(request)));
      return { subscriptionId: entry.id, realm: entry.realm };
    },
  });
  const cancel = defineOperation({
    name: 'feed:cancel',
    input: feedCancelRequestSchema,
    scope: 'connection',
    run: ({ subscriptionId }, { socket }: ConnectionContext) => {
      delivery.cancel(delivery.registry.get(socket.id, subscriptionId));
      return { subscriptionId };
    },
  });
  return {
    'objects:subscribe': subscribeObjects,
    'areas:subscribe': subscribeAreas,
    'realms:subscribe': subscribeRealms,
    'feed:update': update,
    'feed:cancel': cancel,
  } as const;
}
