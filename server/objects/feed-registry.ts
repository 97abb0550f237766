import { LimitExceededError, NotFoundError } from '../../shared/index.js';
import { newSubscriptionId } from '../ids.js';
import type { RealtimeSocket } from '../socket-types.js';

/** The three kinds of feed a connection can hold. */
export type FeedKind = 'objects' | 'areas' | 'realms';

/**
 * One feed a connection holds: its id, kind, realm (`''` for a realms feed) and connection.
 *
 * @example
 * const entry: FeedEntry = { id: 'feed_01…', kind: 'objects', realm: 'london', socket };
 */
export interface FeedEntry {
  readonly id: string;
  readonly kind: FeedKind;
  readonly realm: string;
  readonly socket: RealtimeSocket;
}

/**
 * The feeds each connection of this node holds, of every kind, under one bound
 * (`maxFeedsPerConnection`): ids are made here, `feed:update` and `feed:cancel` find a feed by
 * its id within the calling connection only, and a closed connection's feeds go at once.
 *
 * @example
 * const registry = new FeedRegistry(50);
 * const entry = registry.add(socket, 'objects', 'london');
 * registry.remove(socket.id, entry.id);
 */
export class FeedRegistry {
  private readonly byConnection = new Map<string, Map<string, FeedEntry>>();

  constructor(private readonly maxPerConnection: number) {}

  /** @throws LimitExceededError when the connection holds `maxFeedsPerConnection` feeds. */
  add(socket: RealtimeSocket, kind: FeedKind, realm: string): FeedEntry {
    let feeds = this.byConnection.get(socket.id);
    if ((feeds?.size ?? 0) >= this.maxPerConnection) {
      throw new LimitExceededError(`A connection may hold at most ${this.maxPerConnection} feeds`, { details: { limit: this.maxPerConnection } });
    }
    if (feeds === undefined) this.byConnection.set(socket.id, (feeds = new Map()));
    const entry: FeedEntry = { id: newSubscriptionId('feed'), kind, realm, socket };
    feeds.set(entry.id, entry);
    return entry;
  }

  /** @throws NotFoundError when the connection holds no feed with that id. */
  get(connectionId: string, id: string): FeedEntry {
    const entry = this.byConnection.get(connectionId)?.get(id);
    if (entry === undefined) throw new NotFoundError(`unknown feed ${id}`, { details: { subscriptionId: id } });
    return entry;
  }

  remove(connectionId: string, id: string): void {
    const feeds = this.byConnection.get(connectionId);
    feeds?.delete(id);
    if (feeds?.size === 0) this.byConnection.delete(connectionId);
  }

  /** Forgets a closed connection; answers the feeds it held. */
  dropConnection(connectionId: string): FeedEntry[] {
    const feeds = [...(this.byConnection.get(connectionId)?.values() ?? [])];
    this.byConnection.delete(connectionId);
    return feeds;
  }
}
