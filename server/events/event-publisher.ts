import type { Logger } from 'pino';
import {
  matchesFilter,
  type EventSource,
  type RealtimeEvent,
  type RealtimeEventMetadata,
  type StreamPosition,
  type SyncEventReturnMode,
} from '../../shared/index.js';
import { can } from '../auth/permissions.js';
import type { EventHistory, ReplayResult } from '../history/event-history.js';
import { newEventId } from '../ids.js';
import { DeliveryHolds } from './delivery-holds.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';
import { type SubscriptionIndex, topicRoom, type Subscription } from './subscription-index.js';
import type { TopicRelay } from './topic-relay.js';

/** Every return mode, in the order deliveries emit them. */
const RETURN_MODES: readonly SyncEventReturnMode[] = ['full', 'diff', 'both'];

/**
 * What a producer hands to {@link EventPublisher.publish}; the publisher assigns id and timestamp.
 */
export interface EventDraft {
  realm: string;
  topic: string;
  source: EventSource;
  type: string;
  payload: Record<string, unknown>;
  metadata?: Omit<RealtimeEventMetadata, 'timestamp' | 'realm'>;
}

/**
 * Turns an event into the payload a subscriber with a given return mode receives. Only sync events
 * differ by mode; every other event is the same for all subscribers.
 */
export type PayloadShaper = (event: RealtimeEvent, mode: SyncEventReturnMode) => RealtimeEvent;

/**
 * Names the resource a recipient must be able to read (`R`) to receive an event, beyond the topic
 * itself; `undefined` when the topic permission is enough.
 */
export type ReadCheck = (event: RealtimeEvent) => string | undefined;

/** What the publisher is built from. */
export interface EventPublisherOptions {
  io: RealtimeIo;
  subscriptions: SubscriptionIndex;
  /** Recent events per topic stream, for recovery after a reconnect. */
  history: EventHistory;
  logger: Logger;
  /**
   * Whether other nodes share this server through an adapter (Redis); a lone node skips
   * `serverSideEmit`, which the in-memory adapter does not support.
   * @default false
   */
  clustered?: boolean;
  /**
   * Clustered only: carries events to just the nodes with subscribers of their room (sharded
   * pub/sub) instead of `serverSideEmit` to every node.
   * @default absent (`serverSideEmit`)
   */
  relay?: TopicRelay;
  /** Counts publishes and deliveries (the server's Prometheus metrics). */
  metrics?: DeliveryMetrics;
}

/** What the publisher reports to the metrics (see server/metrics/platform-metrics.ts). */
export interface DeliveryMetrics {
  eventPublished(realm: string, source: EventSource): void;
  eventDelivered(realm: string, source: EventSource, delivered: number, filtered: number, publishedAt: number): void;
}

/**
 * Creates RealtimeEvents and delivers them to subscribers on every node.
 *
 * Why this exists: delivery must be once per connection even when several of its subscriptions
 * match, filters are evaluated here so a client never receives what it filtered out, and the
 * encoded packet is shared: Socket.IO encodes one broadcast once for all its recipients, so
 * recipients are grouped by return mode and each group gets one `to([...ids]).emit`. Other nodes
 * receive the event through the adapter (`serverSideEmit`), or with a {@link TopicRelay} only the
 * nodes with subscribers of its room do, and run the same local delivery.
 * Before delivery every event is appended to its topic's history, which gives it a position
 * (`metadata.epoch`, `metadata.offset`) that a reconnecting client resumes from.
 *
 * @example
 * const event = await publisher.publish({ realm: 'demo', topic: 'order.updated', source: 'api', type: 'api.publish', payload });
 */
export class EventPublisher {
  private readonly shapers: PayloadShaper[] = [];
  private readonly readChecks: ReadCheck[] = [];
  private readonly publishedListeners = new Set<(event: RealtimeEvent) => void>();
  private readonly holds = new DeliveryHolds<RealtimeEvent>((event) => event.metadata.offset);
  /** Recipients per return mode, reused by every delivery (see deliverLocal). */
  private readonly groups: Record<SyncEventReturnMode, string[]> = { full: [], diff: [], both: [] };
  private delivering = false;
  private readonly io: RealtimeIo;
  private readonly subscriptions: SubscriptionIndex;
  private readonly history: EventHistory;
  private readonly logger: Logger;
  private readonly clustered: boolean;
  private readonly metrics: DeliveryMetrics | undefined;
  private readonly relay: TopicRelay | undefined;

  constructor(options: EventPublisherOptions) {
    this.io = options.io;
    this.subscriptions = options.subscriptions;
    this.history = options.history;
    this.logger = options.logger;
    this.clustered = options.clustered ?? false;
    this.metrics = options.metrics;
    this.relay = this.clustered ? options.relay : undefined;
    const relay = this.relay;
    if (relay !== undefined) {
      relay.onEvent((event) => this.deliverLocal(event));
      this.subscriptions.onRoomChange(({ room, present }) => (present ? relay.open(room) : relay.close(room)));
    } else if (this.clustered) {
      this.io.on('topic:event', (event) => this.deliverLocal(event));
    }
  }

  /**
   * Resolves once this node is certain to receive the topic's later events from other nodes
   * (with a relay: its channel subscription is answered); at once otherwise. A new subscription
   * waits for it before reading its starting position, so nothing acknowledged after that
   * position is missed (see `TopicChannels`).
   */
  async ready(realm: string, topic: string): Promise<void> {
    await this.relay?.ready(topicRoom(realm, topic));
  }

  /** Registers how events are reshaped per return mode (the sync service uses this). */
  addShaper(shaper: PayloadShaper): () => void {
    this.shapers.push(shaper);
    return () => {
      const index = this.shapers.indexOf(shaper);
      if (index >= 0) this.shapers.splice(index, 1);
    };
  }

  /** Registers a per-recipient read check (the sync service checks `R` on each document). */
  addReadCheck(check: ReadCheck): void {
    this.readChecks.push(check);
  }

  /**
   * Calls `listener` with every event this node publishes (once per cluster: other nodes' events
   * are not repeated here), after local delivery. It runs on the realtime path: it must return at
   * once (webhooks only queue the event). Returns its disposer.
   */
  onPublished(listener: (event: RealtimeEvent) => void): () => void {
    this.publishedListeners.add(listener);
    return () => this.publishedListeners.delete(listener);
  }

  /**
   * Assigns an id (unique, ordered per topic) and a timestamp, records the event in its topic's
   * history, then delivers it everywhere. If the history is unavailable (Redis down) the event is
   * still delivered live, without a position, and the failure is logged: recovery cannot cover it.
   */
  async publish(draft: EventDraft): Promise<RealtimeEvent> {
    const event: RealtimeEvent = {
      id: newEventId(),
      topic: draft.topic,
      source: draft.source,
      type: draft.type,
      payload: draft.payload,
      metadata: { ...draft.metadata, timestamp: Date.now(), realm: draft.realm },
    };
    try {
      const { epoch, offset } = await this.history.append(event);
      event.metadata.epoch = epoch;
      event.metadata.offset = offset;
    } catch (err) {
      this.logger.warn({ err, topic: event.topic, realm: draft.realm }, 'event history unavailable; delivering without a position');
    }
    this.metrics?.eventPublished(draft.realm, event.source);
    this.deliverLocal(event);
    if (this.relay !== undefined) await this.relay.publish(topicRoom(draft.realm, event.topic), event);
    else if (this.clustered) this.io.serverSideEmit('topic:event', event);
    for (const listener of this.publishedListeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err, topic: event.topic }, 'a publish listener failed');
      }
    }
    return event;
  }

  /** The position a new subscription starts from: the latest event of its stream. */
  async head(realm: string, topic: string): Promise<StreamPosition | undefined> {
    try {
      return await this.history.head(realm, topic);
    } catch {
      return undefined;
    }
  }

  /**
   * Sends a resubscribed connection what it missed since `since`, then the live events that
   * arrived meanwhile, in order and once. The subscription must already be in the index.
   */
  async recover(socket: RealtimeSocket, subscription: Subscription, since: StreamPosition): Promise<ReplayResult> {
    const { realm, topic, room } = subscription;
    this.holds.acquire(socket.id, room);
    let last = since.offset;
    try {
      // Held from here on; the history read below must come after the channel is in place.
      await this.ready(realm, topic);
      const replay = await this.history.since(realm, topic, since).catch((err: unknown): ReplayResult => {
        // Without the history the gap cannot be covered; the subscription itself stays live.
        this.logger.warn({ err, realm, topic }, 'event history unavailable; resubscribed without recovery');
        return { recovered: false, events: [], epoch: since.epoch };
      });
      for (const event of replay.events) {
        last = event.metadata.offset ?? last;
        if (!matchesFilter(subscription.filter, event.payload) || !this.mayRead(socket.id, event)) continue;
        if (this.holds.markSent(socket.id, room, event)) socket.emit('event', this.shape(event, subscription.returnMode));
      }
      return replay;
    } finally {
      for (const event of this.holds.release(socket.id, room, last)) socket.emit('event', event);
    }
  }

  /** Forgets a connection's holds (on disconnect). */
  dropSocket(socketId: string): void {
    this.holds.dropSocket(socketId);
  }

  /**
   * Delivers an event to this node's matching subscribers.
   *
   * Why two paths: when nothing about the delivery depends on the event (no subscription in the
   * room has a filter, all ask for one return mode, no read check applies to the event and no
   * recovery holds are active), the recipients are exactly the connections in the topic's
   * Socket.IO room, which only the topic handlers join and leave, together with this index. Then
   * one room broadcast does it, with no per-recipient work here. Otherwise each connection's
   * filters and reads are checked, allocating nothing per recipient: the per-mode id lists are
   * reused from event to event (Socket.IO copies them before `emit` returns).
   */
  deliverLocal(event: RealtimeEvent): void {
    const realm = event.metadata.realm;
    const room = topicRoom(realm, event.topic);
    const resources = this.readResources(event);
    if (resources === undefined && !this.holds.active) {
      const mode = this.subscriptions.uniformMode(room);
      if (mode !== undefined) {
        this.io.local.to(room).emit('event', this.shape(event, mode));
        if (this.metrics !== undefined) this.metrics.eventDelivered(realm, event.source, this.subscriptions.roomSize(room), 0, event.metadata.timestamp);
        return;
      }
    }
    // A delivery started from inside another (an emit listener publishing) gets lists of its own.
    const groups: Record<SyncEventReturnMode, string[]> = this.delivering ? { full: [], diff: [], both: [] } : this.groups;
    const outermost = !this.delivering;
    this.delivering = true;
    try {
      this.subscriptions.forEachRecipient(room, event.payload, (socketId, mode) => {
        if (resources !== undefined && !this.mayReadAll(socketId, realm, resources)) return;
        if (this.holds.active && this.holds.offer(socketId, room, this.shape(event, mode))) return;
        groups[mode].push(socketId);
      });
      let delivered = 0;
      for (const mode of RETURN_MODES) {
        const socketIds = groups[mode];
        delivered += socketIds.length;
        if (socketIds.length > 0) this.io.local.to(socketIds).emit('event', this.shape(event, mode));
      }
      if (this.metrics !== undefined) {
        // Held deliveries (a recovery in progress) are neither: they go out when it ends.
        const filtered = this.holds.active ? 0 : Math.max(0, this.subscriptions.roomSize(room) - delivered);
        this.metrics.eventDelivered(realm, event.source, delivered, filtered, event.metadata.timestamp);
      }
    } finally {
      for (const mode of RETURN_MODES) groups[mode].length = 0;
      if (outermost) this.delivering = false;
    }
  }

  /**
   * The resources a recipient must be able to read for this event, from every read check (each
   * is a function of the event alone, so they are asked once per event, not per recipient);
   * `undefined` when no check applies.
   */
  private readResources(event: RealtimeEvent): string[] | undefined {
    let resources: string[] | undefined;
    for (const check of this.readChecks) {
      const resource = check(event);
      if (resource !== undefined) (resources ??= []).push(resource);
    }
    return resources;
  }

  /** Whether a connection may read every one of `resources` (what `mayRead` decides, per event). */
  private mayReadAll(socketId: string, realm: string, resources: string[]): boolean {
    const principal = this.io.of('/').sockets.get(socketId)?.data.principal;
    if (principal === undefined) return false;
    for (const resource of resources) if (!can(principal, realm, resource, 'R')) return false;
    return true;
  }

  /** Whether a connection may read what the event is about (beyond the topic). */
  private mayRead(socketId: string, event: RealtimeEvent): boolean {
    if (this.readChecks.length === 0) return true;
    const principal = this.io.of('/').sockets.get(socketId)?.data.principal;
    if (principal === undefined) return false;
    for (const check of this.readChecks) {
      const resource = check(event);
      if (resource !== undefined && !can(principal, event.metadata.realm, resource, 'R')) return false;
    }
    return true;
  }

  private shape(event: RealtimeEvent, mode: SyncEventReturnMode): RealtimeEvent {
    let shaped = event;
    for (const shaper of this.shapers) shaped = shaper(shaped, mode);
    return shaped;
  }
}
