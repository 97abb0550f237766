import type { StreamRef } from './provider-locks.js';

/** What changed when a subscriber came or went on this node. */
export interface SubscriberChange {
  /** The connection's first (or, on removal, last) subscription to the stream: join (leave) its room. */
  connectionChanged: boolean;
  /** This node's first (or last) subscriber of the stream. */
  nodeChanged: boolean;
}

/**
 * Each connection's subscription count to one stream: inline while one connection holds them
 * all (most streams: a user's own topic), a map once several do.
 */
type Counts = { id: string; count: number } | Map<string, number>;

/** One stream's subscribers on this node. */
interface StreamSubscribers {
  stream: StreamRef;
  counts: Counts;
}

/**
 * This node's subscribers of listenable streams: how many subscriptions each local connection
 * holds to each stream (a connection may subscribe to one topic twice, with two filters). Bounded
 * by the subscriptions themselves: an entry exists only while one does.
 *
 * Why it is stored this way: every subscription of every idle connection lands here, so a `Map`
 * for each stream's single subscriber and another for each connection's streams were ~450 bytes
 * of each idle connection's heap. A stream with one subscribing connection holds its count
 * inline, and a connection's streams are one key, or an array of keys.
 *
 * @example
 * const local = new LocalSubscribers();
 * local.add({ realm: 'demo', kind: 'topic', name: 'prices.eur' }, 'c1'); // { connectionChanged: true, nodeChanged: true }
 */
export class LocalSubscribers {
  /** Stream key → the stream and its subscribers' counts. */
  private readonly byStream = new Map<string, StreamSubscribers>();
  /** Connection id → the keys of the streams it subscribes to. */
  private readonly byConnection = new Map<string, string | string[]>();

  /** Counts one more subscription of `connectionId` to `stream`. */
  add(stream: StreamRef, connectionId: string): SubscriberChange {
    const key = streamKey(stream);
    const entry = this.byStream.get(key);
    let before = 0;
    if (entry === undefined) {
      this.byStream.set(key, { stream, counts: { id: connectionId, count: 1 } });
    } else {
      const { counts } = entry;
      if (counts instanceof Map) {
        before = counts.get(connectionId) ?? 0;
        counts.set(connectionId, before + 1);
      } else if (counts.id === connectionId) {
        before = counts.count;
        counts.count += 1;
      } else {
        entry.counts = new Map([
          [counts.id, counts.count],
          [connectionId, 1],
        ]);
      }
    }
    if (before === 0) this.addKey(connectionId, key);
    return { connectionChanged: before === 0, nodeChanged: entry === undefined };
  }

  /** Counts one subscription less; `undefined` when there was none. */
  remove(stream: StreamRef, connectionId: string): SubscriberChange | undefined {
    const key = streamKey(stream);
    const entry = this.byStream.get(key);
    if (entry === undefined) return undefined;
    const { counts } = entry;
    const before = counts instanceof Map ? counts.get(connectionId) : counts.id === connectionId ? counts.count : undefined;
    if (before === undefined) return undefined;
    if (before > 1) {
      if (counts instanceof Map) counts.set(connectionId, before - 1);
      else counts.count -= 1;
      return { connectionChanged: false, nodeChanged: false };
    }
    this.removeKey(connectionId, key);
    if (this.dropConnection(key, entry, connectionId)) return { connectionChanged: true, nodeChanged: false };
    return { connectionChanged: true, nodeChanged: true };
  }

  /** Forgets a closed connection; answers the streams that lost their last subscriber on this node. */
  removeConnection(connectionId: string): StreamRef[] {
    const emptied: StreamRef[] = [];
    const keys = this.byConnection.get(connectionId) ?? [];
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      const entry = this.byStream.get(key);
      if (entry !== undefined && !this.dropConnection(key, entry, connectionId)) emptied.push(entry.stream);
    }
    this.byConnection.delete(connectionId);
    return emptied;
  }

  /** Removes `connectionId`'s count from the stream; false when that left the stream without subscribers (then dropped). */
  private dropConnection(key: string, entry: StreamSubscribers, connectionId: string): boolean {
    const { counts } = entry;
    if (counts instanceof Map) {
      counts.delete(connectionId);
      if (counts.size > 0) return true;
    } else if (counts.id !== connectionId) {
      return true;
    }
    this.byStream.delete(key);
    return false;
  }

  private addKey(connectionId: string, key: string): void {
    const own = this.byConnection.get(connectionId);
    // Arrays built whole, not pushed to: a pushed one reserves room for 16 entries.
    this.byConnection.set(connectionId, own === undefined ? key : typeof own === 'string' ? [own, key] : [...own, key]);
  }

  private removeKey(connectionId: string, key: string): void {
    const own = this.byConnection.get(connectionId);
    const rest = own === undefined || typeof own === 'string' ? [] : own.filter((entry) => entry !== key);
    if (rest.length === 0) this.byConnection.delete(connectionId);
    else this.byConnection.set(connectionId, rest.length === 1 ? (rest[0] as string) : rest);
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
