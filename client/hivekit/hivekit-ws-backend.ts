import type { RealtimeClient } from '../realtime-client.js';
import type { HivekitBackend } from './hivekit-backend.js';

/**
 * The Hivekit backend over a `RealtimeClient`'s connection: each call is the platform client's own.
 *
 * @example
 * const backend = wsBackend(new RealtimeClient({ url }));
 */
export function wsBackend(client: RealtimeClient): HivekitBackend {
  return {
    mode: 'ws',
    objects: (realm) => client.realm(realm).objects,
    areas: (realm) => client.realm(realm).areas,
    pubsub: (realm) => client.realm(realm).pubsub,
    realms: () => client.realms,
    setObject: (realm, id, fields) => client.realm(realm).objects.set(id, fields),
    search: (realm, query, options) => client.realm(realm).search(query, options),
  };
}
