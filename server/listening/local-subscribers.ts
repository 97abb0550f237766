import type { StreamRef } from './provider-locks.js';

/** What changed when a subscriber came or went on this node. */
export interface SubscriberChange {
  /** The connection's first (or, on removal, last) subscription to the stream: join (leave) its room. */
  connectionChanged: boolean;
  /** This node's first (or last) subscriber of the stream. */
  nodeChanged: boolean;
}

/**
 * This node's subscribers of listenable streams: how many subscriptions each local connection
 * holds to each stream (a connection may subscribe to one topic twice, with two filters). Bounded
 * by the subscriptions themselves: an entry exists only while one does.
 *
 * @example
 * const local = new LocalSubscribers();
 * local.add({ realm: 'demo', kind: 'topic', name: 'prices.eur' }, 'c1'); // { connectionChanged: true, nodeChanged: true }
 */
export class LocalSubscribers {
  /** Stream key → connection id → subscriptions. */
  private readonly byStream = new Map<string, Map<string, number>>();
  /** Connection id → stream key → the stream. */
  private readonly byConnection = new Map<string, Map<string, StreamRef>>();

  /** Counts one more subscription of `connectionId` to `stream`. */
  add(stream: StreamRef, connectionId: string): SubscriberChange {
    const key = streamKey(stream);
    let counts = this.byStream.get(key);
    const nodeChanged = counts === undefined;
    if (counts === undefined) this.byStream.set(key, (counts = new Map()));
    const before = counts.get(connectionId) ?? 0;
    counts.set(connectionId, before + 1);
    let own = this.byConnection.get(connectionId);
    if (own === undefined) this.byConnection.set(connectionId, (own = new Map()));
    own.set(key, stream);
    return { connectionChanged: before === 0, nodeChanged };
  }

  /** Counts one subscription less; `undefined` when there was none. */
  remove(stream: StreamRef, connectionId: string): SubscriberChange | undefined {
    const key = streamKey(stream);
    const counts = this.byStream.get(key);
    const before = counts?.get(connectionId);
    if (counts === undefined || before === undefined) return undefined;
    if (before > 1) {
      counts.set(connectionId, before - 1);
      return { connectionChanged: false, nodeChanged: false };
    }
    counts.delete(connectionId);
    const own = this.byConnection.get(connectionId);
    own?.delete(key);
    if (own?.size === 0) this.byConnection.delete(connectionId);
    if (counts.size > 0) return { connectionChanged: true, nodeChanged: false };
    this.byStream.delete(key);
    return { connectionChanged: true, nodeChanged: true };
  }

  /** Forgets a closed connection; answers the streams that lost their last subscriber on this node. */
  removeConnection(connectionId: string): StreamRef[] {
    const emptied: StreamRef[] = [];
    for (const [key, stream] of this.byConnection.get(connectionId) ?? []) {
      const counts = this.byStream.get(key);
      counts?.delete(connectionId);
      if (counts?.size === 0) {
        this.byStream.delete(key);
        emptied.push(stream);
      }
    }
    this.byConnection.delete(connectionId);
    return emptied;
  }
}

/**
 * One stream's key, for maps.
 *
 * @example
 * streamKey({ realm: 'demo', kind: 'topic', name: 'a' }); // 'demo\u0000topic\u0000a'
 */
export function streamKey({ realm, kind, name }: StreamRef): string {
  return `${realm}\u0000${kind}\u0000${name}`;
}
