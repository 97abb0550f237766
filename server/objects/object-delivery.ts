import type { Area, ObjectChangeRelay, RealmInfo } from '../../shared/index.js';
import { areaResource, can, hasRealm } from '../auth/permissions.js';
import type { RealtimeSocket } from '../socket-types.js';
import { FeedRegistry, type FeedEntry } from './feed-registry.js';
import type { ObjectBus } from './object-bus.js';
import { ObjectFeeds, type ObjectFeedsOptions } from './object-feeds.js';
import { PubsubRouter } from './pubsub-router.js';
import { RecordFeeds } from './record-feeds.js';

/** What this node's deliveries are built from. */
export interface ObjectDeliveryOptions extends ObjectFeedsOptions {
  bus: ObjectBus;
  maxFeedsPerConnection: number;
  maxPubsubPerConnection: number;
}

/**
 * Everything of the objects feature that lives on this node's connections: the feed registry,
 * object feeds (matchers), area and realm feeds, and pub/sub subscribers, all fed from the
 * {@link ObjectBus} (this node's writes and every other node's). A closed connection's feeds and
 * subscriptions go at once ({@link dropConnection}).
 *
 * @example
 * const delivery = new ObjectDelivery({ bus, store, statusOf, maxObjects, maxMembers, logger, maxFeedsPerConnection: 50, maxPubsubPerConnection: 100 });
 * socket.on('disconnect', () => delivery.dropConnection(socket.id));
 */
export class ObjectDelivery {
  readonly registry: FeedRegistry;
  readonly objectFeeds: ObjectFeeds;
  readonly areaFeeds = new RecordFeeds<Area>((entry, realm, id) => entry.realm === realm && can(principalOf(entry), realm, areaResource(id), 'R'));
  readonly realmFeeds = new RecordFeeds<RealmInfo>((entry, realm) => hasRealm(principalOf(entry), realm));
  readonly pubsub: PubsubRouter;
  private readonly dispose: () => void;

  constructor(options: ObjectDeliveryOptions) {
    this.registry = new FeedRegistry(options.maxFeedsPerConnection);
    this.objectFeeds = new ObjectFeeds(options, (entry) => this.registry.remove(entry.socket.id, entry.id));
    this.pubsub = new PubsubRouter(options.maxPubsubPerConnection);
    this.dispose = options.bus.onChange((change) => this.apply(change));
  }

  /** Ends a feed of any kind. */
  cancel(entry: FeedEntry): void {
    this.registry.remove(entry.socket.id, entry.id);
    this.feedsOf(entry).remove(entry);
  }

  /** Forgets a closed connection: its feeds and pub/sub subscriptions. */
  dropConnection(connectionId: string): void {
    for (const entry of this.registry.dropConnection(connectionId)) this.feedsOf(entry).remove(entry);
    this.pubsub.dropConnection(connectionId);
  }

  /** Stops listening to the bus. */
  close(): void {
    this.dispose();
  }

  private apply(change: ObjectChangeRelay): void {
    switch (change.kind) {
      case 'pubsub':
        this.pubsub.deliver(change.message);
        return;
      case 'object':
        this.objectFeeds.apply(change);
        return;
      case 'area':
        this.objectFeeds.apply(change);
        this.areaFeeds.deliver(change.realm, change.op, change.area.id, change.area);
        return;
      case 'realm':
        this.objectFeeds.apply(change);
        this.realmFeeds.deliver(change.realm, change.op, change.info.id, change.info);
    }
  }

  private feedsOf(entry: FeedEntry): { remove(entry: FeedEntry): void } {
    return entry.kind === 'objects' ? this.objectFeeds : entry.kind === 'areas' ? this.areaFeeds : this.realmFeeds;
  }
}

function principalOf(entry: FeedEntry): RealtimeSocket['data']['principal'] {
  return entry.socket.data.principal;
}
