export { RealtimeClient } from './realtime-client.js';
export { RealtimeRealm } from './realtime-realm.js';
export type { RealmEvents, ClientEvents, EventHandler, PublishOptions } from './realtime-realm.js';
export type { RealtimeClientOptions } from './client-options.js';
export { DEFAULT_CLIENT_OPTIONS } from './client-options.js';
export type { SubscribeOptions } from './subscription-manager.js';
export type { ConnectionState, ConnectionChange } from './connection-state.js';
export { isRecoverableDisconnect } from './connection-state.js';
export { backoffDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export type { Disposer } from './emitter.js';
export { decodeToken, isTokenExpired, getTokenExpiresIn, shouldRefreshToken } from './token-helpers.js';
export type { RefreshThresholdOptions } from './token-helpers.js';
export {
  RealtimeError,
  AuthError,
  ForbiddenError,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  PayloadTooLargeError,
  LimitExceededError,
  UnavailableError,
  InternalError,
  ErrorCode,
  isRetryable,
  isAuthError,
} from '../shared/index.js';
export type {
  ErrorShape,
  RealtimeEvent,
  RealtimeEventMetadata,
  EventSource,
  SubscriptionFilter,
  SyncEventReturnMode,
} from '../shared/index.js';
