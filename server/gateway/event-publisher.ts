import type { Logger } from 'pino';
import { monotonicFactory } from 'ulid';
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
import { DeliveryHolds } from './delivery-holds.js';
import type { RealtimeIo, RealtimeSocket } from './socket-types.js';
import { SubscriptionIndex, topicRoom, type Subscription } from './subscription-index.js';

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
}

/**
 * Creates RealtimeEvents and delivers them to subscribers on every node.
 *
 * Why this exists: delivery must be once per connection even when several of its subscriptions
 * match, filters are evaluated here so a client never receives what it filtered out, and the
 * encoded packet is shared: Socket.IO encodes one broadcast once for all its recipients, so
 * recipients are grouped by return mode and each group gets one `to([...ids]).emit`. Other nodes
 * receive the event through the adapter (`serverSideEmit`) and run the same local delivery.
 * Before delivery every event is appended to its topic's history, which gives it a position
 * (`metadata.epoch`, `metadata.offset`) that a reconnecting client resumes from.
 *
 * @example
 * const event = await publisher.publish({ realm: 'demo', topic: 'order.updated', source: 'api', type: 'api.publish', payload });
 */
export class EventPublisher {
  private readonly nextId = monotonicFactory();
  private readonly shapers: PayloadShaper[] = [];
  private readonly readChecks: ReadCheck[] = [];
  private readonly holds = new DeliveryHolds();
  private readonly io: RealtimeIo;
  private readonly subscriptions: SubscriptionIndex;
  private readonly history: EventHistory;
  private readonly logger: Logger;
  private readonly clustered: boolean;

  constructor(options: EventPublisherOptions) {
    this.io = options.io;
    this.subscriptions = options.subscriptions;
    this.history = options.history;
    this.logger = options.logger;
    this.clustered = options.clustered ?? false;
    if (this.clustered) this.io.on('topic:event', (event) => this.deliverLocal(event));
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
   * Assigns an id (unique, ordered per topic) and a timestamp, records the event in its topic's
   * history, then delivers it everywhere. If the history is unavailable (Redis down) the event is
   * still delivered live, without a position, and the failure is logged: recovery cannot cover it.
   */
  async publish(draft: EventDraft): Promise<RealtimeEvent> {
    const event: RealtimeEvent = {
      id: this.nextId(),
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
    this.deliverLocal(event);
    if (this.clustered) this.io.serverSideEmit('topic:event', event);
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

  /** Delivers an event to this node's matching subscribers. */
  deliverLocal(event: RealtimeEvent): void {
    const realm = event.metadata.realm;
    const recipients = this.subscriptions.recipients(topicRoom(realm, event.topic), event.payload);
    if (recipients.size === 0) return;
    const room = topicRoom(realm, event.topic);
    const checkReads = this.readChecks.length > 0;
    const groups = new Map<SyncEventReturnMode, string[]>();
    for (const [socketId, mode] of recipients) {
      if (checkReads && !this.mayRead(socketId, event)) continue;
      if (this.holds.active && this.holds.offer(socketId, room, this.shape(event, mode))) continue;
      const group = groups.get(mode);
      if (group === undefined) groups.set(mode, [socketId]);
      else group.push(socketId);
    }
    for (const [mode, socketIds] of groups) {
      this.io.local.to(socketIds).emit('event', this.shape(event, mode));
    }
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
