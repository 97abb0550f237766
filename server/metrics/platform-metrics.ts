import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventSource } from '../../shared/index.js';
import type { DeliveryOutcome } from '../webhooks/delivery-outcome.js';
import { BoundedLabel } from './bounded-label.js';
import type { MetricsAccess } from './metrics-routes.js';

/** Whether a dependency answered its last check. */
export type DependencyHealth = 'up' | 'down';

/** What the gauges read when Prometheus scrapes: live counts, asked for at scrape time only. */
export interface MetricsProbes {
  /** Connections open on this node (Socket.IO and `/ws`). */
  connections(): number;
  /** Topic subscriptions held on this node. */
  subscriptions(): number;
  /** Webhook deliveries waiting on this node (queued and due). */
  webhookQueueDepth?(): number;
  /** Redis and MongoDB, when configured. */
  dependencies(): Promise<Partial<Record<'redis' | 'mongodb', DependencyHealth>>>;
}

/** What {@link PlatformMetrics} is built from. */
export interface PlatformMetricsOptions {
  /**
   * How many distinct realms get their own label value; later realms are counted as `other`.
   * @default 100
   */
  maxRealmLabels?: number;
  /**
   * Node.js process metrics (event-loop lag, heap, GC, CPU) beside the platform's.
   * @default true
   */
  processMetrics?: boolean;
}

/** The `metrics` option of the server: the registry's settings and who may scrape. */
export interface MetricsOptions extends PlatformMetricsOptions, MetricsAccess {}

/** Seconds buckets from 1 ms to 10 s: local fan-out is sub-millisecond, a slow cluster hop seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The platform's Prometheus metrics, one registry per server (two servers in one process, as in
 * tests or embedding, never share counters).
 *
 * Why this exists: operators need to see connections, traffic, latency and failures without
 * reading logs, in the names the reference platform documents (`realtime_events_received_total`,
 * `realtime_events_delivered_total`, `realtime_events_filtered_total`,
 * `realtime_broadcast_latency_seconds`, `realtime_websocket_connections`, `realtime_queue_depth`,
 * `realtime_webhook_deliveries_total`). Labels are bounded: realms are capped by
 * {@link BoundedLabel} (a tenant that creates realms cannot blow up the series count), and no
 * label ever carries a topic, a user or a document id. Gauges read live counts at scrape time, so
 * an idle server does no metrics work.
 *
 * @example
 * const metrics = new PlatformMetrics();
 * metrics.attachProbes({ connections: () => io.of('/').sockets.size, subscriptions: () => 0, dependencies: async () => ({}) });
 * res.type(metrics.contentType).send(await metrics.render());
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  private readonly realms: BoundedLabel;
  private probes: MetricsProbes | undefined;
  private readonly eventsReceived: Counter<'realm' | 'source'>;
  private readonly eventsDelivered: Counter<'realm' | 'source'>;
  private readonly eventsFiltered: Counter<'realm'>;
  private readonly broadcastLatency: Histogram;
  private readonly operations: Counter<'operation' | 'outcome'>;
  private readonly syncWrites: Counter<'outcome'>;
  private readonly rateLimited: Counter<'action' | 'scope'>;
  private readonly webhookDeliveries: Counter<'status'>;
  private readonly connectionsOpened: Counter;
  private readonly connectionsClosed: Counter<'reason'>;
  private readonly slowConsumers: Counter;
  private readonly databaseChanges: Counter<'outcome'>;
  private readonly slotLag: Gauge;

  constructor(options: PlatformMetricsOptions = {}) {
    this.realms = new BoundedLabel(options.maxRealmLabels ?? 100);
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'realtime_process_' });
    this.eventsReceived = new Counter({
      name: 'realtime_events_received_total',
      help: 'Events published on this node, by realm and source (api, socket, sync, presence, database, ...)',
      labelNames: ['realm', 'source'],
      registers,
    });
    this.eventsDelivered = new Counter({
      name: 'realtime_events_delivered_total',
      help: 'Events delivered to connections on this node (one per recipient), by realm and source',
      labelNames: ['realm', 'source'],
      registers,
    });
    this.eventsFiltered = new Counter({
      name: 'realtime_events_filtered_total',
      help: "Deliveries this node did not make because a subscriber's filter or read rights excluded the event",
      labelNames: ['realm'],
      registers,
    });
    this.broadcastLatency = new Histogram({
      name: 'realtime_broadcast_latency_seconds',
      help: "From an event's publish (its timestamp) to its delivery on this node, for every delivery round",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.operations = new Counter({
      name: 'realtime_operations_total',
      help: 'Requests served (socket and REST), by operation and outcome (ok or the error code)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.syncWrites = new Counter({
      name: 'realtime_sync_writes_total',
      help: 'Sync document writes, by outcome (ok, conflict, error)',
      labelNames: ['outcome'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'realtime_rate_limited_total',
      help: 'Requests refused with RATE_LIMITED, by action and scope (connection, user, realm)',
      labelNames: ['action', 'scope'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'realtime_webhook_deliveries_total',
      help: 'Webhook delivery attempts by status: succeeded, retry (failed, will be retried), failed (moved to dead letters)',
      labelNames: ['status'],
      registers,
    });
    this.connectionsOpened = new Counter({ name: 'realtime_connections_opened_total', help: 'Connections accepted on this node', registers });
    this.connectionsClosed = new Counter({
      name: 'realtime_connections_closed_total',
      help: 'Connections closed on this node, by Socket.IO disconnect reason',
      labelNames: ['reason'],
      registers,
    });
    this.slowConsumers = new Counter({
      name: 'realtime_slow_consumers_closed_total',
      help: 'Connections closed because their client did not read: their send queue passed maxQueuedBytesPerConnection',
      registers,
    });
    this.databaseChanges = new Counter({
      name: 'realtime_database_changes_total',
      help: 'Row changes evaluated by database mappings, by outcome (delivered, skipped, failed), per mapping and change',
      labelNames: ['outcome'],
      registers,
    });
    this.slotLag = new Gauge({
      name: 'realtime_database_slot_lag_bytes',
      help: 'Bytes of WAL the PostgreSQL replication slot of database events holds beyond its confirmed position',
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'realtime_websocket_connections',
      help: 'Connections open on this node',
      registers,
      collect() {
        this.set(metrics.probes?.connections() ?? 0);
      },
    });
    new Gauge({
      name: 'realtime_subscriptions',
      help: 'Topic subscriptions held on this node',
      registers,
      collect() {
        this.set(metrics.probes?.subscriptions() ?? 0);
      },
    });
    new Gauge({
      name: 'realtime_queue_depth',
      help: 'Work waiting in a queue on this node, by queue',
      labelNames: ['queue'],
      registers,
      collect() {
        const depth = metrics.probes?.webhookQueueDepth?.();
        if (depth !== undefined) this.set({ queue: 'webhooks' }, depth);
      },
    });
    new Gauge({
      name: 'realtime_dependency_up',
      help: 'Whether a dependency answered its last check (1) or not (0), by dependency (redis, mongodb)',
      labelNames: ['dependency'],
      registers,
      async collect() {
        const health = (await metrics.probes?.dependencies()) ?? {};
        for (const [dependency, status] of Object.entries(health)) this.set({ dependency }, status === 'up' ? 1 : 0);
      },
    });
  }

  /** The live counts the gauges read (set once the gateway and services exist). */
  attachProbes(probes: MetricsProbes): void {
    this.probes = probes;
  }

  /** An event this node published (once per cluster). */
  eventPublished(realm: string, source: EventSource): void {
    this.eventsReceived.inc({ realm: this.realms.of(realm), source });
  }

  /**
   * One local delivery round of an event: how many connections received it, how many in the
   * topic's room were left out by filters or read rights, and how old the event was.
   */
  eventDelivered(realm: string, source: EventSource, delivered: number, filtered: number, publishedAt: number): void {
    const label = this.realms.of(realm);
    if (delivered > 0) this.eventsDelivered.inc({ realm: label, source }, delivered);
    if (filtered > 0) this.eventsFiltered.inc({ realm: label }, filtered);
    this.broadcastLatency.observe(Math.max(0, Date.now() - publishedAt) / 1000);
  }

  /** A request served, over the socket or REST; `outcome` is `ok` or the error code. */
  operationServed(operation: string, outcome: string): void {
    this.operations.inc({ operation, outcome });
    if (SYNC_WRITES.has(operation)) this.syncWrites.inc({ outcome: outcome === 'ok' ? 'ok' : outcome === 'CONFLICT' ? 'conflict' : 'error' });
  }

  /** A request the rate limiter refused. */
  /** A mapping's outcome for one row change (database events). */
  databaseChange(outcome: 'delivered' | 'skipped' | 'failed'): void {
    this.databaseChanges.inc({ outcome });
  }

  /** The last measured lag of the PostgreSQL slot of database events. */
  databaseSlotLag(bytes: number): void {
    this.slotLag.set(bytes);
  }

  rateLimitRefused(action: string, scope: string): void {
    this.rateLimited.inc({ action, scope });
  }

  /** A webhook attempt's outcome. */
  webhookAttempted(outcome: DeliveryOutcome): void {
    this.webhookDeliveries.inc({ status: outcome });
  }

  /** A connection accepted. */
  connectionOpened(): void {
    this.connectionsOpened.inc();
  }

  /** A connection closed, with Socket.IO's reason (a fixed vocabulary: `transport close`, `ping timeout`, ...). */
  connectionClosed(reason: string): void {
    this.connectionsClosed.inc({ reason });
  }

  /** A connection closed because its send queue passed its bound. */
  slowConsumerClosed(): void {
    this.slowConsumers.inc();
  }

  /** The exposition format's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The operations that write a sync document (counted in `realtime_sync_writes_total`). */
const SYNC_WRITES: ReadonlySet<string> = new Set(['sync:create', 'sync:replace', 'sync:merge', 'sync:mutate', 'sync:delete']);
