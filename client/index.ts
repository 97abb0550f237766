export { RealtimeClient } from './realtime-client.js';
export { RealtimeRealm } from './realtime-realm.js';
export type { RealmEvents, ClientEvents, EventHandler, PublishOptions } from './realtime-realm.js';
export type { RealtimeClientOptions } from './client-options.js';
export { DEFAULT_CLIENT_OPTIONS } from './client-options.js';
export type { SubscribeOptions, ResubscribedNotice } from './subscription-manager.js';
export { SocketClient } from './socket-client.js';
export type {
  SocketClientEvents,
  PresenceOptions,
  ChannelPublishOptions,
  JoinedChannel,
  OpenedDocument,
  DirectMessageResult,
} from './socket-client.js';
export { SyncClient } from './sync-client.js';
export type { ExpiryOptions, UpdateOptions } from './sync-client.js';
export type { DocumentHandler } from './document-watcher.js';
export type { ConnectionState, ConnectionChange } from './connection-state.js';
export { isRecoverableDisconnect } from './connection-state.js';
export { backoffDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export type { Disposer } from './emitter.js';
export { decodeToken, isTokenExpired, getTokenExpiresIn, shouldRefreshToken } from './token-helpers.js';
export type { RefreshThresholdOptions } from './token-helpers.js';
export { WebhookReceiver, verifyWebhook, DEFAULT_WEBHOOK_RECEIVER_OPTIONS } from './webhook-receiver.js';
export type { WebhookReceiverOptions, WebhookEvent, WebhookHeaders, WebhookRawBody } from './webhook-receiver.js';
export { WebhookVerificationError, WebhookVerificationReason } from './webhook-verification-error.js';
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
  PRESENCE_STATUS_TOPIC,
  CONNECTION_STATUS_CHANGED,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_HEADERS,
  WEBHOOK_STATUS_TOPIC,
  WEBHOOK_TOPICS,
} from '../shared/index.js';
export type {
  ErrorShape,
  RealtimeEvent,
  RealtimeEventMetadata,
  EventSource,
  SubscriptionFilter,
  SyncEventReturnMode,
  ChannelMessage,
  DirectMessage,
  MessageSender,
  PresenceEvent,
  PresenceJoinEvent,
  PresenceLeaveEvent,
  PresenceUpdateEvent,
  PresenceLeaveReason,
  PresenceMember,
  PresenceState,
  PresenceTarget,
  DocumentRef,
  ConnectionStatus,
  ConnectionStatusChange,
  ObjectPresence,
  SyncDocument,
  Mutation,
  DocumentListPage,
  SyncDiffPayload,
  SyncBothPayload,
  JsonPatchOperation,
  StreamPosition,
  WebhookEventType,
  WebhookDeliveryEventType,
  WebhookDeliveryStatus,
  WebhookDeliveryView,
  WebhookDeliveryPage,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
  WebhookDisabledReason,
} from '../shared/index.js';
