import type { Ack } from './ack.js';
import type { RecordSubscriptionRequest } from './schemas/record-schemas.js';

/** What `record:subscribe` and `record:unsubscribe` answer: the record, and whether a listener provides it now. */
export interface RecordSubscriptionResult {
  realm: string;
  name: string;
  hasProvider: boolean;
}

/**
 * Record subscriptions: a connection says it follows a record (its data arrives through the sync
 * change topics), so that record listeners (`listen:add` with kind `record`) are offered it when
 * it gains its first subscriber and stopped when it loses its last, and the subscriber hears
 * `listen:provider` when its provider comes or goes.
 */
export interface RecordClientEvents {
  'record:subscribe': (request: RecordSubscriptionRequest, ack: Ack<RecordSubscriptionResult>) => void;
  'record:unsubscribe': (request: RecordSubscriptionRequest, ack: Ack<RecordSubscriptionResult>) => void;
}

/** The names of {@link RecordClientEvents}. */
export const RECORD_CLIENT_EVENTS = ['record:subscribe', 'record:unsubscribe'] as const satisfies ReadonlyArray<keyof RecordClientEvents>;
