/**
 * The browser SDK: what `dist/browser/realtime.mjs` exports and what the script-tag bundle
 * `dist/browser/realtime.js` puts on `window.Realtime`.
 *
 * The client API minus the webhook receiver (`WebhookReceiver`, `verifyWebhook` and their options
 * and errors): verifying a webhook needs its secret, which never belongs in a browser.
 * `client/index.ts` re-exports this file and adds those, so the list is written once; the names
 * come from the modules themselves, so a server-side helper added to the index never drags its
 * imports (a Node built-in, say) into the bundle. `test/unit/browser-entry.test.ts` fails when the
 * index exports something this file neither exports nor lists as server-only.
 *
 * @example
 * <script src="/sdk/realtime.js"></script>
 * <script>const client = new Realtime.RealtimeClient({ url: location.origin, token });</script>
 * <script>const hivekit = new Realtime.HivekitClient(); // the Hivekit dialect (client/hivekit)</script>
 */
export { RealtimeClient } from '../realtime-client.js';
export { HivekitClient, HIVEKIT_CONSTANTS } from '../hivekit/index.js';
export type { HivekitClientOptions, HivekitRequestError, HivekitConnectionStatus } from '../hivekit/index.js';
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
/** The deepstream dialect: `Realtime.deepstream(url)` in a script tag (also `realtime-platform/deepstream`). */
export { default as deepstream } from '../deepstream/index.js';
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

