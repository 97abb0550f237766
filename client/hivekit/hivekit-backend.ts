import type { SearchResult } from '../../shared/index.js';
import type { AreasClient } from '../objects/areas-client.js';
import type { ObjectFields, ObjectsClient } from '../objects/objects-client.js';
import type { PubsubClient } from '../objects/pubsub-client.js';
import type { RealmsClient } from '../objects/realms-client.js';
import type { SearchOptions } from '../realtime-realm.js';

/**
 * What the Hivekit handlers call: the platform's own object, area, realm, pub/sub and search
 * clients, over the WebSocket connection (a `RealtimeClient`) or, after `useHTTP()`, over the REST
 * API. The handlers only translate Hivekit's arguments and answers; every capability is the
 * platform's.
 *
 * @example
 * const backend: HivekitBackend = wsBackend(realtimeClient);
 * await backend.objects('london').get('riders/7');
 */
export interface HivekitBackend {
  readonly mode: 'ws' | 'http';
  objects(realm: string): ObjectsClient;
  areas(realm: string): AreasClient;
  pubsub(realm: string): PubsubClient;
  realms(): RealmsClient;
  /** `object:set`: fire-and-forget over WebSocket (nothing to wait for), acknowledged over HTTP. */
  setObject(realm: string, id: string, fields: ObjectFields): Promise<void> | void;
  search(realm: string, query: string, options: SearchOptions): Promise<SearchResult[]>;
}
