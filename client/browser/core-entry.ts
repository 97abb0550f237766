/**
 * The core browser SDK: `RealtimeClient` and everything around it, without the Hivekit and
 * deepstream dialects. It is what `@realtime-platform/client/browser` bundles
 * (`packages/client/dist/browser/realtime.mjs`); the dialects are bundles of their own there
 * (`hivekit.mjs`, `deepstream.mjs`), so a page that uses neither does not download them.
 * `entry.ts` (the server's `/sdk/realtime.*` bundles) is this file plus the dialects.
 *
 * @example
 * import { RealtimeClient } from '@realtime-platform/client/browser';
 * const client = new RealtimeClient({ url: location.origin, token });
 */
export { RealtimeClient } from '../realtime-client.js';
export { RealtimeRealm } from '../realtime-realm.js';
export type { RealmEvents, ClientEvents, EventHandler, PublishOptions, SearchOptions, PingMeasurement } from '../realtime-realm.js';
export { ObjectsClient } from '../objects/objects-client.js';
export type { ObjectFields, ObjectQuery, ObjectCriteria, HistoryRange } from '../objects/objects-client.js';
export { AreasClient } from '../objects/areas-client.js';
export type { AreaFields, AreaFeedOptions } from '../objects/areas-client.js';
export { RealmsClient } from '../objects/realms-client.js';
export type { RealmFields, RealmFeedOptions } from '../objects/realms-client.js';
export { PubsubClient } from '../objects/pubsub-client.js';
export type { PubsubHandler, PubsubUnsubscribe } from '../objects/pubsub-registry.js';
export { Feed } from '../objects/feed.js';
export type { FeedKind, FeedUpdate } from '../objects/feed.js';
export { DEFAULT_MAX_OBJECT_SUBSCRIPTIONS } from '../objects/subscription-budget.js';
export type { RealtimeClientOptions } from '../client-options.js';
export { DEFAULT_CLIENT_OPTIONS } from '../client-options.js';
export type { ClientWarning } from '../unknown-options.js';
export type { SubscribeOptions, ResubscribedNotice } from '../subscription-manager.js';
export { SocketClient } from '../socket-client.js';
export type {
  SocketClientEvents,
  PresenceOptions,
  ChannelPublishOptions,
  JoinedChannel,
  OpenedDocument,
  DirectMessageResult,
} from '../socket-client.js';
export { SyncClient, MAX_MERGE_ROUNDS } from '../sync-client.js';
export { RpcClient, DEFAULT_RPC_MAKE_TIMEOUT_MS } from '../rpc-client.js';
export type { RpcHandler, RpcResponse, RpcMakeOptions, RpcProvideOptions } from '../rpc-client.js';
export { ListenClient } from '../listen-client.js';
export type { ListenHandler, ListenResponse, ListenOptions, ListenStopReasonOnClient } from '../listen-client.js';
export { UserPresenceClient } from '../user-presence-client.js';
export type { UserLoginChange, UserPresenceOptions } from '../user-presence-client.js';
export type { ExpiryOptions, UpdateOptions } from '../sync-client.js';
export { RecordSubscriptionClient } from '../record-subscription-client.js';
export type { RecordSubscriptionOptions } from '../record-subscription-client.js';
export { MergeStrategies } from '../merge-strategy.js';
export type { MergeStrategy, MergeConflict } from '../merge-strategy.js';
export { OfflineWriteQueue, DEFAULT_OFFLINE_WRITES } from '../offline-write-queue.js';
export type { OfflineWritesOptions } from '../offline-write-queue.js';
export type { DocumentHandler } from '../document-watcher.js';
export type { ConnectionState, ConnectionChange } from '../connection-state.js';
export { backoffDelay } from '../backoff.js';
export type { BackoffOptions } from '../backoff.js';
export type { Disposer } from '../emitter.js';
export type { LoginCredentials } from '../realtime-client.js';
export { decodeToken, isTokenExpired, getTokenExpiresIn, shouldRefreshToken } from '../token-helpers.js';
export type { RefreshThresholdOptions } from '../token-helpers.js';
export {
  RealtimeError,
  AuthError,
  TooManyAuthAttemptsError,
  ForbiddenError,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  PayloadTooLargeError,
  RECORD_SERVICE,
  recordDocumentId,
  recordNameOf,
  EVENT_TOPIC_PREFIX,
  eventTopic,
  LimitExceededError,
  UnavailableError,
  InternalError,
  ClientOfflineError,
  RpcError,
  ListenerError,
  ErrorCode,
  isRetryable,
  isAuthError,
  isConnectionLoss,
  isRecoverableDisconnect,
  isKnownConnectionReason,
  isAuthFailureReason,
  RECOVERABLE_DISCONNECT_REASONS,
  SOCKET_DISCONNECT_REASONS,
  SERVER_DISCONNECT_REASONS,
  CLIENT_CONNECTION_REASONS,
  ClientConnectionReason,
  AUTH_FAILURE_REASONS,
  PRESENCE_STATUS_TOPIC,
  CONNECTION_STATUS_CHANGED,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_HEADERS,
  WEBHOOK_STATUS_TOPIC,
  WEBHOOK_TOPICS,
} from '../../shared/index.js';
export type {
  ErrorShape,
  RpcErrorCode,
  RpcRequestor,
  ListenKind,
  ListenStopReason,
  ProviderChangedNotice,
  ConnectionReason,
  KnownConnectionReason,
  SocketDisconnectReason,
  ServerDisconnectReason,
  AuthFailureReason,
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
  ChannelPublishResult,
  DirectSendResult,
  SyncDocument,
  SyncDocumentMetadata,
  SyncWriteResult,
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
  RealmInfo,
  RealmObject,
  ObjectSummary,
  Area,
  HistoryEntry,
  SearchResult,
  FeedData,
  PubsubMessage,
  DeletedEntity,
  ObjectLocation,
  LocationInput,
  Shape,
  ShapeKind,
  CircleShape,
  RectangleShape,
  BoundsShape,
  PolygonShape,
  LoginResult,
  ServerInfo,
  SessionUser,
} from '../../shared/index.js';
