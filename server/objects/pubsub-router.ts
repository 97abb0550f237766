import { LimitExceededError, NotFoundError, matchesPattern, type PubsubMessage } from '../../shared/index.js';
import { can, objectResource } from '../auth/permissions.js';
import { newSubscriptionId } from '../ids.js';
import type { RealtimeSocket } from '../socket-types.js';

/** One pub/sub subscription of a connection. */
interface PubsubSubscription {
  readonly id: string;
  readonly realm: string;
  readonly event: string;
  readonly idPattern: string;
}

/** A connection's pub/sub subscriptions on this node. */
interface Subscriber {
  readonly socket: RealtimeSocket;
  readonly subscriptions: Map<string, PubsubSubscription>;
}

/**
 * Realm pub/sub on this node: which connections listen to which event name and id pattern, and
 * the delivery of each message (from this node or, through the object bus, from another) to
 * them: one `pubsub:message` per connection however many of its subscriptions match (the client
 * fans out to its own callbacks), and only to connections that may read `object/<id>` (`R`).
 * Patterns are matched with `matchesPattern` (linear in the id and the pattern).
 *
 * @example
 * const router = new PubsubRouter(100);
 * router.subscribe(socket, 'london', 'connectionStatusChanged', 'deliveryRiders/*');
 * router.deliver({ realm: 'london', event: 'connectionStatusChanged', id: 'deliveryRiders/7', data: { connectionStatus: 'connected' } });
 */
export class PubsubRouter {
  /** Realm → connection id → subscriber. */
  private readonly realms = new Map<string, Map<string, Subscriber>>();
  /** Connection id → realms it has subscriptions in. */
  private readonly connections = new Map<string, Set<string>>();

  constructor(private readonly maxPerConnection: number) {}

  /** @throws LimitExceededError when the connection holds `maxPubsubPerConnection` subscriptions. */
  subscribe(socket: RealtimeSocket, realm: string, event: string, idPattern: string): string {
    if (this.countOf(socket.id) >= this.maxPerConnection) {
      throw new LimitExceededError(`A connection may hold at most ${this.maxPerConnection} pub/sub subscriptions`, {
        details: { limit: this.maxPerConnection },
      });
    }
    let subscribers = this.realms.get(realm);
    if (subscribers === undefined) this.realms.set(realm, (subscribers = new Map()));
    let subscriber = subscribers.get(socket.id);
    if (subscriber === undefined) subscribers.set(socket.id, (subscriber = { socket, subscriptions: new Map() }));
    const subscription: PubsubSubscription = { id: newSubscriptionId('ps'), realm, event, idPattern };
    subscriber.subscriptions.set(subscription.id, subscription);
    let realms = this.connections.get(socket.id);
    if (realms === undefined) this.connections.set(socket.id, (realms = new Set()));
    realms.add(realm);
    return subscription.id;
  }

  /** @throws NotFoundError when the connection holds no subscription with that id. */
  unsubscribe(connectionId: string, id: string): void {
    for (const realm of this.connections.get(connectionId) ?? []) {
      const subscriber = this.realms.get(realm)?.get(connectionId);
      if (subscriber?.subscriptions.delete(id) === true) {
        if (subscriber.subscriptions.size === 0) this.forget(connectionId, realm);
        return;
      }
    }
    throw new NotFoundError(`unknown pub/sub subscription ${id}`, { details: { subscriptionId: id } });
  }

  /** Forgets a closed connection. */
  dropConnection(connectionId: string): void {
    for (const realm of [...(this.connections.get(connectionId) ?? [])]) this.forget(connectionId, realm);
  }

  /** Delivers a message to this node's matching subscribers, once per connection. */
  deliver(message: PubsubMessage): void {
    const subscribers = this.realms.get(message.realm);
    if (subscribers === undefined) return;
    for (const { socket, subscriptions } of subscribers.values()) {
      let matched = false;
      for (const subscription of subscriptions.values()) {
        if (subscription.event === message.event && matchesPattern(subscription.idPattern, message.id)) {
          matched = true;
          break;
        }
      }
      if (matched && can(socket.data.principal, message.realm, objectResource(message.id), 'R')) socket.emit('pubsub:message', message);
    }
  }

  private countOf(connectionId: string): number {
    let count = 0;
    for (const realm of this.connections.get(connectionId) ?? []) count += this.realms.get(realm)?.get(connectionId)?.subscriptions.size ?? 0;
    return count;
  }

  private forget(connectionId: string, realm: string): void {
    const subscribers = this.realms.get(realm);
    subscribers?.delete(connectionId);
    if (subscribers?.size === 0) this.realms.delete(realm);
    const realms = this.connections.get(connectionId);
    realms?.delete(realm);
    if (realms?.size === 0) this.connections.delete(connectionId);
  }
}
