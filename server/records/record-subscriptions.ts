import { LimitExceededError } from '../../shared/index.js';

/**
 * Which records each connection on this node follows (`record:subscribe`), so that a repeated
 * subscribe counts once with the listening registry and an unsubscribe of a record never
 * subscribed is harmless. Bounded per connection (`maxSubscriptionsPerConnection`): the records a
 * client follows are subscriptions like its topics.
 *
 * @example
 * const followed = new RecordSubscriptions(1000);
 * if (followed.add(socket.id, 'demo', 'user/lisa')) listening.subscriberAdded('demo', 'record', 'user/lisa', socket.id);
 */
export class RecordSubscriptions {
  private readonly byConnection = new Map<string, Set<string>>();

  constructor(private readonly maxPerConnection: number) {}

  /** Whether this is a new subscription (`LIMIT_EXCEEDED` beyond the bound). */
  add(connectionId: string, realm: string, name: string): boolean {
    let names = this.byConnection.get(connectionId);
    const key = `${realm}\u0000${name}`;
    if (names?.has(key) === true) return false;
    if ((names?.size ?? 0) >= this.maxPerConnection) {
      throw new LimitExceededError(`A connection may follow at most ${this.maxPerConnection} records`, { details: { limit: this.maxPerConnection } });
    }
    if (names === undefined) this.byConnection.set(connectionId, (names = new Set()));
    names.add(key);
    return true;
  }

  /** Whether the connection followed the record (and no longer does). */
  remove(connectionId: string, realm: string, name: string): boolean {
    const names = this.byConnection.get(connectionId);
    const removed = names?.delete(`${realm}\u0000${name}`) === true;
    if (names?.size === 0) this.byConnection.delete(connectionId);
    return removed;
  }

  /** Forgets a closed connection (the listening registry ends its subscriptions itself). */
  forget(connectionId: string): void {
    this.byConnection.delete(connectionId);
  }
}
