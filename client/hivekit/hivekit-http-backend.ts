import { AreasClient } from '../objects/areas-client.js';
import { FeedRegistry } from '../objects/feed-registry.js';
import { ObjectsClient } from '../objects/objects-client.js';
import type { ObjectsTransport } from '../objects/objects-transport.js';
import { PubsubClient } from '../objects/pubsub-client.js';
import { PubsubRegistry } from '../objects/pubsub-registry.js';
import { RealmsClient } from '../objects/realms-client.js';
import { DEFAULT_MAX_OBJECT_SUBSCRIPTIONS, SubscriptionBudget } from '../objects/subscription-budget.js';
import type { HivekitBackend } from './hivekit-backend.js';

/**
 * The Hivekit backend over the REST API (`useHTTP()`): the platform's object, area, realm and
 * pub/sub clients on an HTTP transport. Their subscribe calls reach the transport, which refuses
 * them (HTTP has no realtime).
 *
 * @example
 * const backend = httpBackend(httpTransport({ baseUrl, getToken, reportError }));
 */
export function httpBackend(transport: ObjectsTransport): HivekitBackend {
  const budget = new SubscriptionBudget(DEFAULT_MAX_OBJECT_SUBSCRIPTIONS);
  const feeds = new FeedRegistry(transport, budget);
  const pubsub = new PubsubRegistry(transport, budget);
  const realms = new RealmsClient(transport, feeds);
  return {
    mode: 'http',
    objects: (realm) => new ObjectsClient(realm, transport, feeds),
    areas: (realm) => new AreasClient(realm, transport, feeds),
    pubsub: (realm) => new PubsubClient(realm, transport, pubsub),
    realms: () => realms,
    setObject: async (realm, id, fields) => {
      await transport.request('object:set', { realm, id, ...fields });
    },
    search: async (realm, query, options) => (await transport.request('realm:search', { realm, query, ...options })).results,
  };
}
