import type { RealtimeEvent } from '../../shared/index.js';

/**
 * How topic events reach the other nodes that have subscribers of their room, when something
 * better than "every node" is available (Redis sharded pub/sub: `TopicChannels`).
 *
 * Why this seam exists: the {@link EventPublisher} owns delivery (filters, read checks, recovery
 * holds) and must not know Redis; the relay only carries events between nodes, and the publisher
 * tells it which rooms this node needs (`open` on a room's first local subscription, `close` on
 * its last). `ready` resolves once the relay is certain to carry the room's later events here, so
 * a subscription can wait for it before it reads its starting position (see `EventPublisher.ready`).
 *
 * @example
 * const relay: TopicRelay = new TopicChannels({ pub, sub, keyPrefix: 'rt', logger });
 * new EventPublisher({ io, subscriptions, history, logger, clustered: true, relay });
 */
export interface TopicRelay {
  /**
   * Sends an event to the other nodes that have subscribers of `room`; resolves once it is on its
   * way to all of them (bounded; never rejects: a failure is logged).
   */
  publish(room: string, event: RealtimeEvent): Promise<void>;
  /** Starts receiving `room`'s events from other nodes. */
  open(room: string): void;
  /** Stops receiving `room`'s events. */
  close(room: string): void;
  /** Resolves once `room`'s events published from now on are carried here (at once when unknown or degraded). */
  ready(room: string): Promise<void>;
  /** Sets who receives the events other nodes publish (one receiver: the publisher). */
  onEvent(deliver: (event: RealtimeEvent) => void): void;
}
