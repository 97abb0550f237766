export { createRealtimeServer, RealtimeServer } from './realtime-server.js';
export type { RealtimeServerOptions, ListeningAddress, CloseOptions } from './realtime-server.js';
export { DEFAULT_PLAIN_WEBSOCKET_OPTIONS } from './wire/plain-websocket-endpoint.js';
export type { PlainWebSocketOptions } from './wire/plain-websocket-endpoint.js';
export type { PlatformServices, MongoOptions, ServiceConfig } from './composition-root.js';
export type { RedisAdapterMode, RedisConnectionOptions } from './cluster/redis-connection-options.js';
export type { RedisClient } from './cluster/redis-client.js';
export type { TopicChannelStats } from './cluster/topic-channels.js';
export { loadConfig, ConfigError, DEFAULT_LIMITS } from './config.js';
export type { AuthOptions, LimitOptions, ResolvedLimits, ServerConfig, LogLevel } from './config.js';
export { createLogger } from './logger.js';
export { DEFAULT_BUSY_WINDOW_MS, MAX_BATCH_WINDOW_MS } from './wire/batched-frames.js';
export type { BatchingOptions } from './wire/batched-frames.js';
export { DEFAULT_RATE_LIMITS, RATE_LIMITED_ACTIONS, resolveRateLimitOptions } from './limits/rate-limit-options.js';
export type { RateLimitOptions, ActionRates, RateLimitedAction, ResolvedRateLimits, ResolvedActionRates } from './limits/rate-limit-options.js';
export { RateLimits } from './limits/rate-limits.js';
export type { RateLimitDetails, RateLimitScope } from './limits/rate-limits.js';
export { signToken } from './auth/token-signer.js';
export type { SignTokenOptions } from './auth/token-signer.js';
export { TokenVerifier } from './auth/token-verifier.js';
export {
  can,
  assertCan,
  resolveRealm,
  matchesPattern,
  topicResource,
  docResource,
  channelResource,
  userResource,
  objectResource,
  rpcResource,
  recordResource,
} from './auth/permissions.js';
export { principalFromClaims } from './auth/principal-from-claims.js';
export type { AuthHookOptions } from './auth/auth-hook.js';
export { rightsIn } from './auth/rights-in.js';
export type { RealmRights } from './auth/rights-in.js';
export type { EventDraft } from './events/event-publisher.js';
export { DEFAULT_HISTORY_LIMITS, resolveHistoryLimits } from './history/event-history.js';
export type { EventHistory, HistoryLimits, ReplayResult } from './history/event-history.js';
export { MemoryEventHistory } from './history/memory-event-history.js';
export type { HistoryUsage } from './history/memory-event-history.js';
export { RedisEventHistory } from './history/redis-event-history.js';
export { MemoryPresenceStore } from './presence/memory-presence-store.js';
export { RedisPresenceStore } from './presence/redis-presence-store.js';
export { ProviderLedger } from './presence/provider-ledger.js';
export type {
  PresenceStore,
  ConnectionRecord,
  MemberRecord,
  AddMemberLimits,
  AddMemberResult,
  RemovedMember,
  RealmStatusChange,
  PresenceCleanup,
  PresenceSetSummary,
  ConnectionMembership,
} from './presence/presence-store.js';
export type { PresenceService, JoinOutcome, ChannelSummary } from './presence/presence-service.js';
export { WebhookService } from './webhooks/webhook-service.js';
export type { CreateWebhookInput, UpdateWebhookInput, RotateSecretInput } from './webhooks/webhook-service.js';
export { DEFAULT_WEBHOOK_OPTIONS, resolveWebhookOptions } from './webhooks/webhook-options.js';
export type { WebhookOptions, ResolvedWebhookOptions } from './webhooks/webhook-options.js';
export { DEFAULT_RETRY_DELAYS_MS } from './webhooks/retry-schedule.js';
export { MemoryWebhookStore } from './webhooks/memory-webhook-store.js';
export { MongoWebhookStore } from './webhooks/mongo-webhook-store.js';
export type { MongoWebhookStoreOptions } from './webhooks/mongo-webhook-store.js';
export type {
  WebhookStore,
  StoredEndpoint,
  StoredSecret,
  StoredDelivery,
  EndpointPatch,
  DeliveryPatch,
  DeliveryQuery,
  StoredDeliveryPage,
  EndpointRef,
} from './webhooks/webhook-store.js';
export { MemoryDocumentStore, MEMORY_DOCUMENT_STORE_DEFAULTS } from './sync/memory-document-store.js';
export type { MemoryDocumentStoreOptions } from './sync/memory-document-store.js';
export { MongoDocumentStore, MONGO_DOCUMENT_STORE_DEFAULTS } from './sync/mongo-document-store.js';
export { MemoryObjectStore } from './objects/memory-object-store.js';
export { MongoObjectStore } from './objects/mongo-object-store.js';
export type { MongoObjectStoreOptions } from './objects/mongo-object-store.js';
export type { ObjectStore, StoredObject, HistoryBounds, HistoryRange, LocationBox } from './objects/object-store.js';
export { DEFAULT_OBJECT_LIMITS, resolveObjectLimits } from './objects/object-limits.js';
export type { ObjectLimits, ResolvedObjectLimits } from './objects/object-limits.js';
export type { ObjectMatching } from './objects/matching/object-matcher-options.js';
export { ObjectService } from './objects/object-service.js';
export type { MongoDocumentStoreOptions, DocumentStoreLogEntry, DocumentStoreLogger } from './sync/mongo-document-store.js';
export { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './sync/document-store.js';
export type {
  DocumentStore,
  CreateDocumentInput,
  GetDocumentOptions,
  ListDocumentsOptions,
  DocumentPage,
  DocumentChange,
  DocumentTransform,
  WriteDocumentOptions,
  WriteResult,
} from './sync/document-store.js';
export type { ReadinessReport } from './http/create-app.js';
export { RpcService, rpcProviderRoom } from './rpc/rpc-service.js';
export type { RpcCall, RpcServiceOptions } from './rpc/rpc-service.js';
export { ListeningRegistry, listeningRoom } from './listening/listening-registry.js';
export type { ListeningRegistryOptions } from './listening/listening-registry.js';
export type { AcquireOutcome, ProviderLocks, StreamHolder, StreamRef } from './listening/provider-locks.js';
export { MemoryProviderLocks } from './listening/memory-provider-locks.js';
export { RedisProviderLocks } from './listening/redis-provider-locks.js';
export { UserPresence } from './users/user-presence.js';
// Database events: the mappings, their evaluation, and the sources' options.
export { DatabaseEvents } from './database-events/database-events.js';
export type { DatabaseEventsOptions } from './database-events/database-events.js';
export { evaluateMapping } from './database-events/mapping-evaluator.js';
export type { MappingOutcome } from './database-events/mapping-evaluator.js';
export type { RowChange, Row } from './database-events/row-change.js';
export type { PostgresSourceOptions } from './database-events/postgres-source.js';
export type { OutboxSourceOptions, OutboxDocument } from './database-events/outbox-source.js';
export type { MappingLimits } from './database-events/database-mappings.js';
