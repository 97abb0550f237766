/**
 * Which part of the platform produced an event: `api` (REST publish), `socket` (a client publish),
 * `sync` (a document write), `database` (change data capture).
 */
export type EventSource = 'database' | 'sync' | 'socket' | 'api';

/** What a subscriber wants in sync-document events: the document, a JSON Patch, or both. */
export type SyncEventReturnMode = 'full' | 'diff' | 'both';

/**
 * Context carried by every event.
 */
export interface RealtimeEventMetadata {
  /** Unix time in milliseconds when the server accepted the event. */
  timestamp: number;
  /** The realm the event belongs to; events never cross realms. */
  realm: string;
  /** Source table (database events). */
  table?: string;
  /** DB operation type (database events). */
  operation?: 'insert' | 'update' | 'delete';
  /** Document revision (sync events). */
  revision?: number;
  /** Who published it, when a user did (`sub` of the token). */
  publisher?: string;
  /** The topic stream's epoch; with `offset`, where this event sits in its stream (for recovery). */
  epoch?: string;
  /** The event's position in its topic stream; grows with every event of the stream. */
  offset?: string;
}

/**
 * The one envelope every subscriber sees. Ids are unique and, per topic, ordered (they sort
 * lexicographically in publish order).
 *
 * @example
 * client.on('event', (event: RealtimeEvent) => console.log(event.topic, event.payload));
 */
export interface RealtimeEvent<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  topic: string;
  source: EventSource;
  type: string;
  payload: P;
  metadata: RealtimeEventMetadata;
}
