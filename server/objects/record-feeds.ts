import type { Area, FeedData, RealmInfo } from '../../shared/index.js';
import type { FeedEntry } from './feed-registry.js';
import { setEntry } from './set-entry.js';

/**
 * Feeds of records that change one at a time, areas (`areas:subscribe`, one realm) and realm
 * records (`realms:subscribe`, every realm the token grants): each change goes to this node's
 * feeds that `concerns` it, as one delta with the record in `added` (created), `updated` or
 * `removed` (deleted; its last state).
 *
 * @example
 * const areas = new RecordFeeds<Area>((entry, realm, id) => entry.realm === realm && mayRead(entry, id));
 * areas.add(entry);
 * areas.deliver('london', 'created', area.id, area);
 */
export class RecordFeeds<T extends Area | RealmInfo> {
  private readonly feeds = new Map<string, FeedEntry>();

  /**
   * `concerns(entry, realm, id)`: whether a feed hears (and may read) the change of record `id`
   * in `realm`, checked per delivery against the connection's current token.
   */
  constructor(private readonly concerns: (entry: FeedEntry, realm: string, id: string) => boolean) {}

  add(entry: FeedEntry): void {
    this.feeds.set(entry.id, entry);
  }

  remove(entry: FeedEntry): void {
    this.feeds.delete(entry.id);
  }

  /** Sends one feed its whole current set (what it may read) as `'full'`, after the subscribe's acknowledgement went out. */
  sendFullSoon(entry: FeedEntry, records: ReadonlyArray<T & { id: string }>): void {
    setImmediate(() => {
      if (!this.feeds.has(entry.id)) return;
      const added: Record<string, T> = {};
      for (const record of records) setEntry(added, record.id, record);
      entry.socket.emit('feed:data', { subscriptionId: entry.id, kind: 'full', added, updated: {}, removed: {} } as FeedData<Area> | FeedData<RealmInfo>);
    });
  }

  /** Sends a change of one record to every feed it concerns. */
  deliver(realm: string, op: 'created' | 'updated' | 'deleted', id: string, record: T): void {
    for (const entry of this.feeds.values()) {
      if (!this.concerns(entry, realm, id)) continue;
      const data: FeedData<T> = { subscriptionId: entry.id, kind: 'delta', added: {}, updated: {}, removed: {} };
      setEntry(op === 'created' ? data.added : op === 'updated' ? data.updated : data.removed, id, record);
      entry.socket.emit('feed:data', data as FeedData<Area> | FeedData<RealmInfo>);
    }
  }
}
