import type { ErrorShape } from './error-codes.js';
import type { SubscriptionFilter } from './filter.js';
import type { Principal } from './principal.js';
import type { RealtimeEvent, SyncEventReturnMode } from './realtime-event.js';

/**
 * Every acknowledgement carries either the result or a typed error.
 *
 * @example
 * socket.emit('unsubscribe', { subscriptionId: 'sub_1' }, (res) => { if (!res.ok) throw res.error; });
 */
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: ErrorShape };

/** The acknowledgement callback of a request. */
export type Ack<T> = (result: AckResult<T>) => void;

/**
 * `subscribe` request. `subscriptionId` is the client's own id (`sub_1`); the server assigns one
 * when it is absent. `realm` defaults to the token's only realm.
 */
export interface SubscribeRequest {
  subscriptionId?: string;
  realm?: string;
  topic: string;
  filter?: SubscriptionFilter;
  returnMode?: SyncEventReturnMode;
}

/** What the server confirms for a subscription. */
export interface SubscribeResult {
  subscriptionId: string;
  realm: string;
  topic: string;
}

/** `unsubscribe` request (the reference protocol's shape). */
export interface UnsubscribeRequest {
  subscriptionId: string;
}

/** `topic:publish` request from a permitted client. */
export interface PublishRequest {
  realm?: string;
  topic: string;
  type?: string;
  payload: Record<string, unknown>;
}

/** `auth:refresh` request: a fresh token for the same user, before the current one expires. */
export interface RefreshTokenRequest {
  token: string;
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
 * Events a client sends. `subscribe`, `unsubscribe` and `event` keep the reference platform's
 * names; everything added since reads `resource:verb`.
 */
export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: Ack<SubscribeResult>) => void;
  unsubscribe: (request: UnsubscribeRequest, ack: Ack<UnsubscribeRequest>) => void;
  'topic:publish': (request: PublishRequest, ack: Ack<RealtimeEvent>) => void;
  'auth:refresh': (request: RefreshTokenRequest, ack: Ack<RefreshTokenResult>) => void;
}

/** Events the server sends. */
export interface ServerToClientEvents {
  /** A delivered event; sent once per connection even when several subscriptions match. */
  event: (event: RealtimeEvent) => void;
  /** The token expired; the server disconnects right after. */
  'auth:expired': (error: ErrorShape) => void;
  /** A subscription was ended by the server. */
  'subscription:revoked': (notice: SubscriptionRevokedNotice) => void;
  /** An error that no acknowledgement could carry (unknown event, request without an ack). */
  'protocol:error': (error: ErrorShape) => void;
}

/** Events between server nodes (through the adapter). */
export interface InterServerEvents {
  /** A published event to be delivered by every node to its local subscribers. */
  'topic:event': (event: RealtimeEvent) => void;
}

/** What the server keeps on each socket. */
export interface SocketData {
  principal: Principal;
}

/** The names of every client-to-server event, for validating unknown ones at runtime. */
export const CLIENT_EVENT_NAMES = ['subscribe', 'unsubscribe', 'topic:publish', 'auth:refresh'] as const satisfies ReadonlyArray<
  keyof ClientToServerEvents
>;
