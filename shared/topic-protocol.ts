import type { ErrorShape } from './error-codes.js';
import type { Ack } from './ack.js';
import type { RealtimeEvent } from './realtime-event.js';
import type { StreamPosition } from './stream-position.js';
import type { PublishRequest, RefreshTokenRequest, SubscribeRequest, UnsubscribeRequest } from './schemas/topic-schemas.js';

/** What the server confirms for a subscription. */
export interface SubscribeResult {
  subscriptionId: string;
  realm: string;
  topic: string;
  /** The stream's latest position when the subscription took effect (absent without history). */
  position?: StreamPosition;
  /**
   * With `since`: whether every missed event could be sent. `false` when the history no longer
   * covers the gap or the stream's epoch changed; the application should reload its state.
   */
  recovered?: boolean;
}

/** The result of `auth:refresh`. */
export interface RefreshTokenResult {
  /** The new expiry, Unix milliseconds. */
  expiresAt: number;
}

/** Sent when the server drops a subscription on its own, e.g. after a token refresh narrowed it. */
export interface SubscriptionRevokedNotice {
  subscriptionId: string;
  error: ErrorShape;
}

/**
 * Topic and session requests a client sends. `subscribe`, `unsubscribe` and `event` keep the
 * reference platform's names; everything added since reads `resource:verb`.
 */
export interface TopicClientEvents {
  subscribe: (request: SubscribeRequest, ack: Ack<SubscribeResult>) => void;
  unsubscribe: (request: UnsubscribeRequest, ack: Ack<UnsubscribeRequest>) => void;
  'topic:publish': (request: PublishRequest, ack: Ack<RealtimeEvent>) => void;
  'auth:refresh': (request: RefreshTokenRequest, ack: Ack<RefreshTokenResult>) => void;
}

/** The names of {@link TopicClientEvents}, for recognising known events at runtime. */
export const TOPIC_CLIENT_EVENTS = ['subscribe', 'unsubscribe', 'topic:publish', 'auth:refresh'] as const satisfies ReadonlyArray<keyof TopicClientEvents>;

/** Topic and session events the server sends. */
export interface TopicServerEvents {
  /** A delivered event; sent once per connection even when several subscriptions match. */
  event: (event: RealtimeEvent) => void;
  /** The token expired; the server disconnects right after. */
  'auth:expired': (error: ErrorShape) => void;
  /** A subscription was ended by the server. */
  'subscription:revoked': (notice: SubscriptionRevokedNotice) => void;
  /** An error that no acknowledgement could carry (unknown event, request without an ack). */
  'protocol:error': (error: ErrorShape) => void;
}
