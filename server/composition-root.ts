/**
 * The composition root: the one place where the platform's stores and services are chosen and
 * built from configuration. `createRealtimeServer` (and through it the CLI) calls
 * {@link buildServices}; the transports (the Socket.IO gateway, the REST app) receive the result and
 * build nothing themselves. A new feature adds its service here, once.
 */
import type { Logger } from 'pino';
import type { ResolvedLimits } from './config.js';
import { RedisCluster } from './cluster/redis-cluster.js';
import type { RedisConnectionOptions } from './cluster/redis-connection-options.js';
import { TopicChannels } from './cluster/topic-channels.js';
import { EventPublisher } from './events/event-publisher.js';
import { SubscriptionIndex } from './events/subscription-index.js';
import type { EventHistory, HistoryLimits } from './history/event-history.js';
import { MemoryEventHistory } from './history/memory-event-history.js';
import { RedisEventHistory } from './history/redis-event-history.js';
import { RateLimits } from './limits/rate-limits.js';
import type { RateLimitOptions } from './limits/rate-limit-options.js';
import { MemoryPresenceStore } from './presence/memory-presence-store.js';
import { PresenceService } from './presence/presence-service.js';
import type { PresenceStore } from './presence/presence-store.js';
import { RedisPresenceStore } from './presence/redis-presence-store.js';
import { ChannelDelivery } from './channels/channel-delivery.js';
import { ChannelMessenger } from './channels/channel-messenger.js';
import type { RealtimeIo } from './socket-types.js';
import type { DocumentStore } from './sync/document-store.js';
import { MemoryDocumentStore } from './sync/memory-document-store.js';
import { MongoDocumentStore } from './sync/mongo-document-store.js';
import { SyncService } from './sync/sync-service.js';
import { MongoWebhookStore } from './webhooks/mongo-webhook-store.js';
import type { WebhookOptions } from './webhooks/webhook-options.js';
import { WebhookService } from './webhooks/webhook-service.js';
import type { RealtimeGateway } from './gateway/realtime-gateway.js';
import type { Feature, FeatureContext, FeatureFactory } from './kernel/feature.js';
import { topicsFeature } from './topics/topics-feature.js';
import { syncFeature } from './sync/sync-feature.js';
import { presenceFeature } from './presence/presence-feature.js';
import { channelsFeature } from './channels/channels-feature.js';
import { webhooksFeature } from './webhooks/webhooks-feature.js';
import { ConnectionStatusRelay } from './objects/connection-status-relay.js';
import { resolveObjectMatcherOptions, type ObjectMatching } from './objects/matching/object-matcher-options.js';
import { MemoryObjectStore } from './objects/memory-object-store.js';
import { MongoObjectStore } from './objects/mongo-object-store.js';
import { ObjectBus } from './objects/object-bus.js';
import { ObjectDelivery } from './objects/object-delivery.js';
import { resolveObjectLimits, type ObjectLimits } from './objects/object-limits.js';
import { ObjectService } from './objects/object-service.js';
import type { ObjectStore } from './objects/object-store.js';
import { objectsFeature } from './objects/objects-feature.js';
import { RpcService } from './rpc/rpc-service.js';
import { rpcFeature } from './rpc/rpc-feature.js';
import { ListeningRegistry } from './listening/listening-registry.js';
import { MemoryProviderLocks } from './listening/memory-provider-locks.js';
import { RedisProviderLocks } from './listening/redis-provider-locks.js';
import { listeningFeature } from './listening/listening-feature.js';
import { recordsFeature } from './records/records-feature.js';
import { UserPresence } from './users/user-presence.js';
import { PlatformMetrics, type MetricsOptions } from './metrics/platform-metrics.js';
import { TopicRegistry, type RegistryLimits } from './registry/topic-registry.js';
import { SigningKeys } from './auth/signing-keys.js';
import { registryFeature } from './registry/registry-feature.js';
import { userPresenceFeature } from './users/user-presence-feature.js';
import { DatabaseEvents, type DatabaseEventsOptions } from './database-events/database-events.js';
import { databaseEventsFeature } from './database-events/database-events-feature.js';

/**
 * Keep sync documents and webhooks in MongoDB by configuration alone (what `MONGODB_URL` gives the
 * CLI): a `MongoDocumentStore` and a `MongoWebhookStore` on this database. Given stores
 * (`documents`, `webhooks.store`) take precedence.
 */
export interface MongoOptions {
  /** A `mongodb://` or `mongodb+srv://` connection string. */
  url: string;
  /** The database. @default 'realtime' */
  dbName?: string;
}

/** The configuration the services are built from (the part of `RealtimeServerOptions` about stores and services). */
export interface ServiceConfig {
  /**
   * Where sync documents live; the server closes it on `close()`. A `MongoDocumentStore` keeps
   * them in MongoDB.
   * @default a MongoDocumentStore with `mongodb`, else new MemoryDocumentStore() (embedded, in memory only)
   */
  documents?: DocumentStore;
  /**
   * Keep sync documents, webhooks and Hivekit objects in MongoDB by configuration alone (the CLI's
   * `MONGODB_URL` and `MONGODB_DB`): the server builds a `MongoDocumentStore` (unless `documents` is
   * given), a `MongoWebhookStore` (unless `webhooks.store` is given) and a `MongoObjectStore`
   * (unless `objects.store` is given) on this database, and closes them.
   * @default absent (both in memory)
   */
  mongodb?: MongoOptions;
  /**
   * Largest sync document (bytes of its JSON) in the document store the server builds (memory or
   * `mongodb`); ignored when `documents` is given.
   * @default DEFAULT_MAX_DOCUMENT_BYTES (64 KiB)
   */
  maxDocumentBytes?: number;
  /**
   * Where channel membership, presence and data providers live (shared by every node of a cluster).
   * @default new RedisPresenceStore(...) with `redis`, else new MemoryPresenceStore() (this process only)
   */
  presenceStore?: PresenceStore;
  /** This node's id in the presence store; a random one when absent. */
  nodeId?: string;
  /**
   * Run as one node of a cluster sharing this Redis (one server by `url`, or a Redis Cluster by
   * `clusterNodes`): cross-node rooms and broadcasts through `@socket.io/redis-adapter` (classic,
   * or `adapter: 'sharded'` for Redis 7 sharded pub/sub and per-topic channels), event history and
   * presence in Redis. Alone (in memory) when absent.
   */
  redis?: RedisConnectionOptions;
  /** How much recent history is kept for recovery: per stream, per realm and per node (see {@link HistoryLimits}). */
  history?: HistoryLimits;
  /**
   * Prometheus metrics at `/metrics` and `/api/metrics/prometheus`: who may scrape (a
   * `scrapeToken`, a platform admin's JWT, or `public`), how many realms get their own label value,
   * and whether Node.js process metrics are included (see {@link MetricsOptions}).
   */
  metrics?: MetricsOptions;
  /** Bounds of the topic and schema registry (topics per realm, versions, schema size, cache; see {@link RegistryLimits}). */
  registry?: RegistryLimits;
  /**
   * The secret managed signing keys are encrypted with in the document store
   * (`SIGNING_KEYS_SECRET`). Without it, `auth.secret` is used; with neither, `/api/keys` answers
   * `UNAVAILABLE`.
   */
  signingKeysSecret?: string;
  /**
   * Request rate limits (publishes, messages, subscribes, sync writes and presence per connection,
   * user and realm) and connections per user; shared through `redis` when clustered. On unless
   * `enabled: false`.
   * @default DEFAULT_RATE_LIMITS
   */
  rateLimits?: RateLimitOptions;
  /**
   * Hivekit objects: where realm records, objects, areas and location history live, and the
   * limits of the feature (objects and areas per realm, data size, feeds and pub/sub
   * subscriptions per connection, members per feed, history per object and its retention).
   * `matching: 'scan'` makes object feeds test every subscription on every write instead of asking
   * the spatial index: a brute-force baseline for benchmarks (bench case 10), never faster.
   * @default { store: a MongoObjectStore with `mongodb`, else new MemoryObjectStore(), limits: DEFAULT_OBJECT_LIMITS, matching: 'index' }
   */
  objects?: { store?: ObjectStore; limits?: ObjectLimits; matching?: ObjectMatching };
  /**
   * Signed webhooks: the endpoint and delivery-queue store (a `MongoWebhookStore` survives
   * restarts), private-network policy, retry schedule and timeouts.
   * @default {} (in-memory store, private networks refused, 8 attempts over ~27.5 h)
   */
  webhooks?: WebhookOptions;
  /**
   * Database events: row changes of the application's own PostgreSQL (logical replication) or
   * MongoDB (change streams, or an outbox collection) become topic events through the mappings of
   * `/api/database/mappings` (`DATABASE_EVENTS_*`). Mappings can be managed without a source.
   * @default {} (no source runs)
   */
  databaseEvents?: DatabaseEventsOptions;
}

/** What {@link buildServices} needs besides the configuration. */
export interface BuildServicesOptions {
  config: ServiceConfig;
  /** The Socket.IO server that events are delivered through (the cluster adapter is set on it). */
  io: RealtimeIo;
  logger: Logger;
  limits: ResolvedLimits;
}

/**
 * Every store and service of one platform process, built once by {@link buildServices}. The
 * transports receive this bag; {@link startServices} and {@link closeServices} run its lifecycle.
 */
export interface PlatformServices {
  /** Redis connections when clustered (adapter, history, presence and rate limits share them). */
  cluster?: RedisCluster;
  /** With the sharded adapter: the per-topic sharded channels topic events travel between nodes on. */
  topicChannels?: TopicChannels;
  documents: DocumentStore;
  history: EventHistory;
  presenceStore: PresenceStore;
  /** The event bus: who listens to which topic, and the publisher that delivers to them. */
  subscriptions: SubscriptionIndex;
  publisher: EventPublisher;
  sync: SyncService;
  presence: PresenceService;
  messenger: ChannelMessenger;
  rateLimits: RateLimits;
  webhooks: WebhookService;
  /** Hivekit objects: the store, the service, the bus between nodes, this node's feeds and pub/sub, and the status relay. */
  objectStore: ObjectStore;
  objects: ObjectService;
  objectBus: ObjectBus;
  objectDelivery: ObjectDelivery;
  statusRelay: ConnectionStatusRelay;
  /** RPC providers and calls, across nodes through the Socket.IO adapter. */
  rpc: RpcService;
  /**
   * Listening (active data providers) for topics and records; the records feature reports its
   * subscriptions to it (`subscriberAdded` / `subscriberRemoved`).
   */
  listening: ListeningRegistry;
  /** Which users are logged in to a realm, and their login and logout announcements. */
  users: UserPresence;
  /** Prometheus metrics of this process (`GET /api/metrics/prometheus`). */
  metrics: PlatformMetrics;
  /** Topics, their schema versions, and the check of publishes against the active one. */
  registry: TopicRegistry;
  /** Signing keys managed through the API (`/api/keys`), verified beside the configured ones. */
  signingKeys: SigningKeys;
  /** Database mappings and the sources that feed them (PostgreSQL, MongoDB). */
  databaseEvents: DatabaseEvents;
}

/**
 * Builds every store and service from configuration, in dependency order: stores, cluster, event
 * bus, then the features on top of it. Nothing connects yet ({@link startServices} does).
 *
 * @example
 * const services = buildServices({ config: { mongodb: { url } }, io, logger, limits });
 * const gateway = new RealtimeGateway({ io, verifier, logger, limits, services });
 * attachGateway(services, gateway);
 * await startServices(services);
 */
export function buildServices({ config, io, logger, limits }: BuildServicesOptions): PlatformServices {
  const { mongodb } = config;
  const metrics = new PlatformMetrics(config.metrics);
  const maxDocumentBytes = config.maxDocumentBytes === undefined ? {} : { maxDocumentBytes: config.maxDocumentBytes };
  const documents =
    config.documents ??
    (mongodb === undefined
      ? new MemoryDocumentStore(maxDocumentBytes)
      : new MongoDocumentStore({
          url: mongodb.url,
          dbName: mongodb.dbName ?? 'realtime',
          ...maxDocumentBytes,
          logger: ({ level, message, details }) => logger[level]({ details }, message),
        }));
  let cluster: RedisCluster | undefined;
  let history: EventHistory;
  let presenceStore = config.presenceStore;
  if (config.redis === undefined) {
    history = new MemoryEventHistory(config.history);
  } else {
    cluster = new RedisCluster({ ...config.redis, logger });
    io.adapter(cluster.adapter());
    history = new RedisEventHistory(cluster.data, config.history, cluster.keyPrefix);
    presenceStore ??= new RedisPresenceStore(cluster.data, cluster.keyPrefix);
  }
  presenceStore ??= new MemoryPresenceStore();
  const clustered = cluster !== undefined;
  const topicChannels =
    cluster?.mode === 'sharded' ? new TopicChannels({ pub: cluster.pub, sub: cluster.sub, keyPrefix: cluster.keyPrefix, logger }) : undefined;
  const subscriptions = new SubscriptionIndex();
  const publisher = new EventPublisher({
    io,
    subscriptions,
    history,
    logger,
    clustered,
    metrics,
    ...(topicChannels === undefined ? {} : { relay: topicChannels }),
  });
  const sync = new SyncService(documents, publisher);
  const presence = new PresenceService({
    io,
    store: presenceStore,
    publisher,
    limits,
    logger,
    ...(config.nodeId === undefined ? {} : { nodeId: config.nodeId }),
  });
  const channelDelivery = new ChannelDelivery({ io, history, logger, clustered });
  const messenger = new ChannelMessenger(io, presence, limits, history, logger, channelDelivery);
  const rateLimits = new RateLimits({
    logger,
    onRefused: (action, scope) => metrics.rateLimitRefused(action, scope),
    ...(config.rateLimits === undefined ? {} : { limits: config.rateLimits }),
    ...(cluster === undefined ? {} : { redis: { client: cluster.data, keyPrefix: cluster.keyPrefix } }),
  });
  const webhookStore =
    config.webhooks?.store ?? (mongodb === undefined ? undefined : new MongoWebhookStore({ url: mongodb.url, dbName: mongodb.dbName ?? 'realtime' }));
  const webhooks = new WebhookService({
    ...config.webhooks,
    ...(webhookStore === undefined ? {} : { store: webhookStore }),
    logger,
    nodeId: presence.nodeId,
    publish: (draft) => publisher.publish(draft),
    onAttempt: (outcome) => metrics.webhookAttempted(outcome),
  });
  const objectLimits = resolveObjectLimits(config.objects?.limits);
  const objectStore =
    config.objects?.store ??
    (mongodb === undefined
      ? new MemoryObjectStore()
      : new MongoObjectStore({
          url: mongodb.url,
          dbName: mongodb.dbName ?? 'realtime',
          logger: ({ level, message, details }) => logger[level]({ details }, message),
        }));
  const statusOf = async (realm: string, id: string) => (await presence.objectPresence(realm, id)).connectionStatus;
  const objectBus = new ObjectBus({ io, logger, clustered });
  const objects = new ObjectService({ store: objectStore, bus: objectBus, limits: objectLimits, statusOf });
  const objectDelivery = new ObjectDelivery({
    bus: objectBus,
    store: objectStore,
    statusOf,
    maxObjects: objectLimits.maxObjectsPerRealm,
    maxMembers: objectLimits.maxFeedMembers,
    // Checked here, so a bad value fails at construction rather than at a realm's first feed.
    matching: resolveObjectMatcherOptions(config.objects?.matching === undefined ? {} : { matching: config.objects.matching }).matching,
    maxFeedsPerConnection: objectLimits.maxFeedsPerConnection,
    maxPubsubPerConnection: objectLimits.maxPubsubPerConnection,
    logger,
  });
  const statusRelay = new ConnectionStatusRelay({ objects, bus: objectBus, statusOf, maxObjects: objectLimits.maxObjectsPerRealm, logger });
  presence.onStatusChanges((changes) => statusRelay.relay(changes));
  const rpc = new RpcService({ io, nodeId: presence.nodeId, limits, logger, clustered });
  const listening = new ListeningRegistry({
    io,
    limits,
    logger,
    locks: cluster === undefined ? new MemoryProviderLocks() : new RedisProviderLocks(cluster.data, cluster.keyPrefix),
    clustered,
  });
  const users = new UserPresence({ io, limits, logger });
  const signingKeys = new SigningKeys({
    documents,
    io,
    logger,
    clustered,
    ...(config.signingKeysSecret === undefined ? {} : { encryptionSecret: config.signingKeysSecret }),
  });
  const registry = new TopicRegistry({ documents, io, logger, clustered, ...(config.registry === undefined ? {} : { limits: config.registry }) });
  const databaseEvents = new DatabaseEvents(config.databaseEvents ?? {}, {
    documents,
    publisher,
    registry,
    metrics,
    logger,
    nodeId: presence.nodeId,
    maxPayloadBytes: limits.maxPayloadBytes,
  });
  return {
    ...(cluster === undefined ? {} : { cluster }),
    ...(topicChannels === undefined ? {} : { topicChannels }),
    documents,
    history,
    presenceStore,
    subscriptions,
    publisher,
    sync,
    presence,
    messenger,
    rateLimits,
    webhooks,
    objectStore,
    objects,
    objectBus,
    objectDelivery,
    statusRelay,
    rpc,
    listening,
    users,
    metrics,
    registry,
    signingKeys,
    databaseEvents,
  };
}

/**
 * Every feature the transports serve, in the order a connection sets them up. A new feature is one
 * folder with its operations, routes and `FeatureFactory`, and one line here.
 */
export const FEATURES: readonly FeatureFactory[] = [
  topicsFeature,
  syncFeature,
  presenceFeature,
  channelsFeature,
  webhooksFeature,
  registryFeature,
  databaseEventsFeature,
  objectsFeature,
  rpcFeature,
  listeningFeature,
  userPresenceFeature,
  recordsFeature,
];

/**
 * Builds every feature over the services, once per server.
 *
 * @example
 * const features = buildFeatures({ services, limits, logger });
 */
export function buildFeatures(context: FeatureContext): Feature[] {
  return FEATURES.map((build) => build(context));
}

/**
 * Hooks the services that listen to the realtime path to their sources, once the transport exists:
 * webhooks hear publishes, channel messages, presence changes, object and area writes, and
 * connections (the gateway's).
 */
export function attachGateway(services: PlatformServices, gateway: RealtimeGateway): void {
  const { webhooks, publisher, messenger, presence, objectBus } = services;
  webhooks.attach({ publisher, messenger, presence, gateway, objects: objectBus });
}

/**
 * Connects the stores and starts the services: fails fast on an unreachable database or Redis
 * rather than on the first request, and registers this node in the presence store last, before
 * anyone can connect to it.
 */
export async function startServices(services: PlatformServices): Promise<void> {
  await services.documents.ready?.();
  await services.objectStore.ready?.();
  await services.cluster?.connect();
  await services.webhooks.start();
  await services.presence.start();
  await services.databaseEvents.start();
}

/**
 * Stops the services once the connections are closed: presence first (its last events are queued),
 * webhooks (given `graceMs` for attempts in flight), then the stores and Redis they use.
 */
export async function closeServices(services: PlatformServices, webhookClose: { graceMs?: number } = {}): Promise<void> {
  // What the closing connections set off (login announcements, listening hand-overs) must not
  // reach Redis once it is closing.
  services.users.close();
  services.listening.close();
  // The sources stop first: the change being published finishes, its position is saved.
  await services.databaseEvents.close();
  await services.presence.close();
  await services.statusRelay.idle();
  services.objectDelivery.close();
  await services.webhooks.close(webhookClose);
  await services.documents.close();
  await services.objectStore.close();
  await services.history.close();
  services.topicChannels?.dispose();
  await services.cluster?.close();
}
