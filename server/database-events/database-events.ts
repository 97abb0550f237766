import type { Logger } from 'pino';
import { MongoClient } from 'mongodb';
import type { DatabaseEventsStatus, DatabaseSourceStatus } from '../../shared/index.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { PlatformMetrics } from '../metrics/platform-metrics.js';
import type { TopicRegistry } from '../registry/topic-registry.js';
import type { DocumentStore } from '../sync/document-store.js';
import { ChangeStreamSource, supportsChangeStreams } from './change-stream-source.js';
import { DatabaseEventRouter } from './database-event-router.js';
import { DatabaseMappings, type MappingLimits, type StoredMapping } from './database-mappings.js';
import { MappingStats } from './mapping-stats.js';
import { OutboxSource, type OutboxSourceOptions } from './outbox-source.js';
import { PositionStore } from './position-store.js';
import { PostgresSource, type PostgresSourceOptions } from './postgres-source.js';
import type { RowChange } from './row-change.js';

/** Where database events come from (`databaseEvents` option of the server; nothing runs unset). */
export interface DatabaseEventsOptions {
  /** Stream an application's PostgreSQL through logical replication (`DATABASE_EVENTS_POSTGRES_*`). */
  postgres?: PostgresSourceOptions;
  /**
   * Read an application's MongoDB (`DATABASE_EVENTS_MONGODB_*`): its change streams where the
   * server has them (a replica set), else the outbox collection; `mode` forces one.
   */
  mongodb?: OutboxSourceOptions & { url: string; dbName?: string; mode?: 'auto' | 'outbox' | 'change-stream' };
  /** Bounds of the mappings. */
  limits?: MappingLimits;
}

/** What the service is built from. */
export interface DatabaseEventsDeps {
  documents: DocumentStore;
  publisher: EventPublisher;
  registry: TopicRegistry;
  metrics: PlatformMetrics;
  logger: Logger;
  nodeId: string;
  maxPayloadBytes: number;
}

interface Source {
  start(): Promise<void>;
  close(): Promise<void>;
  status(): Promise<DatabaseSourceStatus>;
}

/**
 * Database events: the mappings, the router, and the sources configured (PostgreSQL, MongoDB
 * outbox or change streams). Mappings can be managed without any source; code that embeds the
 * server can feed changes itself with {@link DatabaseEvents.route}.
 *
 * @example
 * const events = new DatabaseEvents({ postgres: { url } }, deps);
 * await events.start();
 * await events.route({ table: 'orders', operation: 'insert', row: { id: 1 } });
 */
export class DatabaseEvents {
  readonly mappings: DatabaseMappings;
  readonly stats = new MappingStats();
  private readonly router: DatabaseEventRouter;
  private readonly positions: PositionStore;
  private readonly sources: Source[] = [];
  private mongo: MongoClient | undefined;

  constructor(
    private readonly options: DatabaseEventsOptions,
    private readonly deps: DatabaseEventsDeps,
  ) {
    this.mappings = new DatabaseMappings(deps.documents, this.stats, options.limits);
    this.positions = new PositionStore(deps.documents);
    this.router = new DatabaseEventRouter({
      mappings: this.mappings,
      stats: this.stats,
      publisher: deps.publisher,
      registry: deps.registry,
      logger: deps.logger,
      maxPayloadBytes: deps.maxPayloadBytes,
      onOutcome: (outcome) => deps.metrics.databaseChange(outcome),
    });
  }

  /** Publishes the events of one committed row change (what the sources call; embedding code may too). */
  route(change: RowChange): Promise<void> {
    return this.router.route(change);
  }

  async start(): Promise<void> {
    await this.mappings.start();
    const route = (change: RowChange) => this.router.route(change);
    const { logger } = this.deps;
    if (this.options.postgres !== undefined) {
      this.sources.push(
        new PostgresSource(this.options.postgres, { route, positions: this.positions, logger, onLag: (bytes) => this.deps.metrics.databaseSlotLag(bytes) }),
      );
    }
    const mongodb = this.options.mongodb;
    if (mongodb !== undefined) {
      const client = new MongoClient(mongodb.url, { serverSelectionTimeoutMS: 10_000 });
      await client.connect();
      this.mongo = client;
      const db = client.db(mongodb.dbName ?? 'app');
      const mode = mongodb.mode ?? 'auto';
      const changeStreams = mode === 'change-stream' || (mode === 'auto' && supportsChangeStreams(await db.admin().command({ hello: 1 })));
      const outbox = mongodb.collection ?? 'realtime_outbox';
      const source = changeStreams
        ? new ChangeStreamSource({
            db,
            nodeId: this.deps.nodeId,
            route,
            positions: this.positions,
            logger,
            ignore: new Set([outbox, `${outbox}_lease`, 'realtime_change_stream_lease']),
          })
        : new OutboxSource(mongodb, { db, nodeId: this.deps.nodeId, route, logger });
      logger.info({ db: db.databaseName, mode: changeStreams ? 'change-stream' : 'outbox' }, 'MongoDB database events');
      this.sources.push(source);
    }
    await Promise.all(this.sources.map((source) => source.start()));
  }

  /** The sources' state and the mappings' counters; `visible` picks the mappings the caller may see. */
  async status(visible: (mapping: StoredMapping) => boolean): Promise<DatabaseEventsStatus> {
    const sources = await Promise.all(this.sources.map((source) => source.status()));
    return {
      sources,
      mappings: this.mappings
        .all()
        .filter(visible)
        .map((mapping) => ({
          id: mapping.id,
          table: mapping.table,
          topic: mapping.topic,
          realm: mapping.realm,
          active: mapping.active,
          stats: this.stats.of(mapping.id),
        })),
    };
  }

  /** Stops the sources (each finishes the change in hand and saves its position); safe to call twice. */
  async close(): Promise<void> {
    const sources = this.sources.splice(0);
    await Promise.all(sources.map((source) => source.close()));
    this.mappings.stop();
    await this.mongo?.close();
    this.mongo = undefined;
  }
}
