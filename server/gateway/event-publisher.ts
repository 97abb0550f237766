import { monotonicFactory } from 'ulid';
import type {
  EventSource,
  RealtimeEvent,
  RealtimeEventMetadata,
  SyncEventReturnMode,
} from '../../shared/index.js';
import type { RealtimeIo } from './socket-types.js';
import { SubscriptionIndex, topicRoom } from './subscription-index.js';

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
 * Creates RealtimeEvents and delivers them to subscribers on every node.
 *
 * Why this exists: delivery must be once per connection even when several of its subscriptions
 * match, filters are evaluated here so a client never receives what it filtered out, and the
 * encoded packet is shared: Socket.IO encodes one broadcast once for all its recipients, so
 * recipients are grouped by return mode and each group gets one `to([...ids]).emit`. Other nodes
 * receive the event through the adapter (`serverSideEmit`) and run the same local delivery.
 *
 * @example
 * const event = publisher.publish({ realm: 'demo', topic: 'order.updated', source: 'api', type: 'api.publish', payload });
 */
export class EventPublisher {
  private readonly nextId = monotonicFactory();
  private readonly shapers: PayloadShaper[] = [];

  /**
   * @param clustered whether other nodes share this server through an adapter (Redis); a lone
   *   node skips `serverSideEmit`, which the in-memory adapter does not support.
   */
  constructor(
    private readonly io: RealtimeIo,
    private readonly subscriptions: SubscriptionIndex,
    private readonly clustered = false,
  ) {
    if (clustered) io.on('topic:event', (event) => this.deliverLocal(event));
  }

  /** Registers how events are reshaped per return mode (the sync service uses this). */
  addShaper(shaper: PayloadShaper): () => void {
    this.shapers.push(shaper);
    return () => {
      const index = this.shapers.indexOf(shaper);
      if (index >= 0) this.shapers.splice(index, 1);
    };
  }

  /** Assigns an id (unique, ordered per topic) and a timestamp, then delivers everywhere. */
  publish(draft: EventDraft): RealtimeEvent {
    const event: RealtimeEvent = {
      id: this.nextId(),
      topic: draft.topic,
      source: draft.source,
      type: draft.type,
      payload: draft.payload,
      metadata: { ...draft.metadata, timestamp: Date.now(), realm: draft.realm },
    };
    this.deliverLocal(event);
    if (this.clustered) this.io.serverSideEmit('topic:event', event);
    return event;
  }

  /** Delivers an event to this node's matching subscribers. */
  deliverLocal(event: RealtimeEvent): void {
    const recipients = this.subscriptions.recipients(topicRoom(event.metadata.realm, event.topic), event.payload);
    if (recipients.size === 0) return;
    const groups = new Map<SyncEventReturnMode, string[]>();
    for (const [socketId, mode] of recipients) {
      const group = groups.get(mode);
      if (group === undefined) groups.set(mode, [socketId]);
      else group.push(socketId);
    }
    for (const [mode, socketIds] of groups) {
      this.io.local.to(socketIds).emit('event', this.shape(event, mode));
    }
  }

  private shape(event: RealtimeEvent, mode: SyncEventReturnMode): RealtimeEvent {
    let shaped = event;
    for (const shaper of this.shapers) shaped = shaper(shaped, mode);
    return shaped;
  }
}
