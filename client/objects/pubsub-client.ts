import type { PubsubHandler, PubsubRegistry, PubsubUnsubscribe } from './pubsub-registry.js';
import type { ObjectsTransport } from './objects-transport.js';

/**
 * Realm pub/sub (`client.pubsub`, `client.realm(id).pubsub`): ephemeral messages about object ids
 * (alerts, commands), and the server's own `connectionStatusChanged`. A subscription is re-sent
 * after every reconnect, but messages published while this client was disconnected are lost:
 * pub/sub keeps no history.
 *
 * @example
 * const unsubscribe = await client.pubsub.subscribe('connectionStatusChanged', 'riders/*', ({ id, data }) => console.log(id, data));
 * await client.pubsub.publish('alert', 'riders/7', { text: 'Road closed' });
 * await unsubscribe();
 */
export class PubsubClient {
  constructor(
    /** The realm. */
    readonly realm: string,
    private readonly transport: ObjectsTransport,
    private readonly registry: PubsubRegistry,
  ) {}

  /** Publishes `data` (any JSON) about object `id` to the realm's subscribers of `event`. */
  async publish(event: string, id: string, data: unknown): Promise<void> {
    await this.transport.request('pubsub:publish', { realm: this.realm, event, id, data });
  }

  /**
   * Hears `event` for ids matching `idPattern` (`*` for all); resolves once subscribed, with the
   * function that unsubscribes this handler. Handlers of the same event and pattern share one
   * server subscription.
   */
  subscribe(event: string, idPattern: string, handler: PubsubHandler): Promise<PubsubUnsubscribe> {
    return this.registry.subscribe(this.realm, event, idPattern, handler);
  }

  /** Removes `handler`, or every handler of `event` on `idPattern`; answers whether there was one. */
  unsubscribe(event: string, idPattern: string, handler?: PubsubHandler): Promise<boolean> {
    return this.registry.unsubscribe(this.realm, event, idPattern, handler);
  }
}
