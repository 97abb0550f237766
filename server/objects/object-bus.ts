import type { Logger } from 'pino';
import type { ObjectChangeRelay } from '../../shared/index.js';
import type { RealtimeIo } from '../socket-types.js';

/** What the bus is built from. */
export interface ObjectBusOptions {
  io: RealtimeIo;
  logger: Logger;
  /**
   * Whether other nodes share this server through an adapter (Redis); a lone node skips
   * `serverSideEmit`, which the in-memory adapter does not support.
   * @default false
   */
  clustered?: boolean;
}

/**
 * Carries every object, area, realm and pub/sub change to every node: the node that made it hands
 * it to its own listeners at once and sends it once through the adapter (`objects:change`), where
 * every other node hands it to its listeners (feeds, pub/sub subscribers, webhooks on the writing
 * node only). One bus message per write, whatever the number of feeds.
 *
 * Why not the topic event bus: topic events are recorded in the recovery history; a location
 * stream at thousands of writes a second must not be, and object feeds do not replay (a client
 * re-subscribes and gets a fresh `'full'`).
 *
 * @example
 * const bus = new ObjectBus({ io, logger, clustered: true });
 * bus.onChange((change, local) => feeds.apply(change));
 * bus.publish({ kind: 'pubsub', message });
 */
export class ObjectBus {
  private readonly listeners = new Set<(change: ObjectChangeRelay, local: boolean) => void>();
  private readonly io: RealtimeIo;
  private readonly logger: Logger;
  private readonly clustered: boolean;

  constructor(options: ObjectBusOptions) {
    this.io = options.io;
    this.logger = options.logger;
    this.clustered = options.clustered ?? false;
    if (this.clustered) this.io.on('objects:change', (change) => this.deliver(change, false));
  }

  /**
   * Calls `listener` with every change, on this node and from others (`local` says which). It runs
   * on the write path: it must return at once. Returns its disposer.
   */
  onChange(listener: (change: ObjectChangeRelay, local: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers a change here and on every other node. */
  publish(change: ObjectChangeRelay): void {
    this.deliver(change, true);
    if (this.clustered) this.io.serverSideEmit('objects:change', change);
  }

  private deliver(change: ObjectChangeRelay, local: boolean): void {
    for (const listener of this.listeners) {
      try {
        listener(change, local);
      } catch (err) {
        this.logger.error({ err, kind: change.kind }, 'objects: a change listener failed');
      }
    }
  }
}
