import type { ConnectionStatus, RealtimeError, RealtimeEvent, SearchRequest, SearchResult } from '../shared/index.js';
import type { ConnectionChange } from './connection-state.js';
import type { Disposer } from './emitter.js';
import { Emitter } from './emitter.js';
import type { ResubscribedNotice, SubscribeOptions } from './subscription-manager.js';
import { SyncClient, type SyncHost } from './sync-client.js';
import type { SocketClient } from './socket-client.js';
import { AreasClient } from './objects/areas-client.js';
import type { FeedRegistry } from './objects/feed-registry.js';
import { ObjectsClient } from './objects/objects-client.js';
import type { ObjectsTransport } from './objects/objects-transport.js';
import { PubsubClient } from './objects/pubsub-client.js';
import type { PubsubRegistry } from './objects/pubsub-registry.js';

/**
 * Domain events a realm delivers: `'event'` for every subscribed topic and `'event:<topic>'` for one.
 */
export interface RealmEvents {
  event: RealtimeEvent;
  [topicEvent: `event:${string}`]: RealtimeEvent;
}

/**
 * Every event a client (or a realm view) can listen to: domain events from the server, plus the
 * client's own lifecycle events `'connection'` and `'error'`.
 */
export interface ClientEvents extends RealmEvents {
  connection: ConnectionChange;
  error: RealtimeError;
  /** A subscription was re-established after a reconnect; `recovered: false` means events were missed. */
  resubscribed: ResubscribedNotice;
  /** A heartbeat came back: `ms` is its round trip (also `client.ping`). */
  ping: PingMeasurement;
}

/**
 * Payload of the `'ping'` event.
 *
 * @example
 * client.on('ping', ({ ms }) => console.log(`round trip ${ms} ms`));
 */
export interface PingMeasurement {
  /** Round trip of the last heartbeat, ms. */
  ms: number;
}

/** Lifecycle events, emitted by the client itself, never by the server. */
export type LifecycleEvent = 'connection' | 'error' | 'resubscribed' | 'ping';

/** A listener of one client event. */
export type EventHandler<K extends keyof ClientEvents> = (value: ClientEvents[K]) => void;

/** Options of `publish()`. */
export interface PublishOptions {
  /**
   * The event's `type`.
   * @default 'socket.publish'
   */
  type?: string;
}

/** Options of `search()`: which fields to look in (`id`, `label`, `data`; all by default) and how many hits of each kind. */
export type SearchOptions = Omit<SearchRequest, 'realm' | 'query'>;

/** What a realm view needs from the client that owns the connection. */
export interface RealmHost {
  subscribe(realm: string, options: SubscribeOptions): string;
  unsubscribe(subscriptionId: string): void;
  publish(realm: string, topic: string, payload: Record<string, unknown>, options?: PublishOptions): Promise<RealtimeEvent>;
  reportListenerError(err: unknown): void;
  onLifecycle<K extends LifecycleEvent>(event: K, handler: EventHandler<K>): Disposer;
  offLifecycle<K extends LifecycleEvent>(event: K, handler: EventHandler<K>): void;
  /** Backs each realm's `sync` client. */
  syncHost: SyncHost;
  /** The socket client (channels, direct messages, presence) of a realm. */
  socketClient(realm: string): SocketClient;
  /** Backs each realm's `objects`, `areas`, `pubsub` and `search()`. */
  objectsTransport: ObjectsTransport;
  feeds(): FeedRegistry;
  pubsub(): PubsubRegistry;
}

function isLifecycle(event: string): event is LifecycleEvent {
  return event === 'connection' || event === 'error' || event === 'resubscribed' || event === 'ping';
}

/**
 * The client API scoped to one realm, over the client's single connection. `client.realm(id)`
 * returns one; the client itself is the view of its default realm.
 *
 * @example
 * const acme = client.realm('acme');
 * acme.subscribe({ topic: 'order.updated' });
 * acme.on('event:order.updated', (event) => render(event.payload));
 */
export class RealtimeRealm {
  private readonly emitter: Emitter<RealmEvents>;
  /** Revisioned JSON documents in this realm. */
  readonly sync: SyncClient;
  /** Objects (things with a location, data and a connection status) in this realm. */
  readonly objects: ObjectsClient;
  /** Areas (named shapes, geofences) in this realm. */
  readonly areas: AreasClient;
  /** Ephemeral pub/sub messages about object ids in this realm. */
  readonly pubsub: PubsubClient;

  constructor(
    /** The realm id. */
    readonly id: string,
    private readonly host: RealmHost,
  ) {
    this.emitter = new Emitter<RealmEvents>((err) => host.reportListenerError(err));
    this.sync = new SyncClient(id, host.syncHost);
    this.objects = new ObjectsClient(id, host.objectsTransport, host.feeds());
    this.areas = new AreasClient(id, host.objectsTransport, host.feeds());
    this.pubsub = new PubsubClient(id, host.objectsTransport, host.pubsub());
  }

  /**
   * Finds `query` (case-insensitive text) in the ids, labels and data of this realm's objects and
   * areas; each hit says where (`field`, `start`, `end`, `dataProperty`).
   */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    const { results } = await this.host.objectsTransport.request('realm:search', { realm: this.id, query, ...options });
    return results;
  }

  /** Channels, direct messages and presence in this realm. */
  get socketClient(): SocketClient {
    return this.host.socketClient(this.id);
  }

  /** The data-provider status of an object in this realm (needs `P` on `object/<id>`). */
  connectionStatus(objectId: string): Promise<ConnectionStatus> {
    return this.socketClient.connectionStatus(objectId);
  }

  /** Subscribes to a topic in this realm; returns the subscription id (`sub_1`) at once. */
  subscribe(options: SubscribeOptions): string {
    return this.host.subscribe(this.id, options);
  }

  /** Ends a subscription; the server stops delivering for it. */
  unsubscribe(subscriptionId: string): void {
    this.host.unsubscribe(subscriptionId);
  }

  /**
   * Publishes an event to a topic in this realm (needs `C` on `topic/<topic>`); resolves with it.
   * Over the server's rate limits it rejects with `LimitExceededError` (`code: 'RATE_LIMITED'`,
   * `err.retryAfterMs`); it is never re-sent by itself.
   */
  publish(topic: string, payload: Record<string, unknown>, options?: PublishOptions): Promise<RealtimeEvent> {
    return this.host.publish(this.id, topic, payload, options);
  }

  /**
   * Listens to `'event'`, `'event:<topic>'` (this realm's events), `'connection'` or `'error'`;
   * returns a function that removes the listener.
   */
  on<K extends keyof ClientEvents & string>(event: K, handler: EventHandler<K>): Disposer {
    if (isLifecycle(event)) return this.host.onLifecycle(event, handler as EventHandler<LifecycleEvent>);
    return this.emitter.on(event as keyof RealmEvents, handler as (value: RealtimeEvent) => void);
  }

  /** Removes a listener added with {@link on} (the same function reference). */
  off<K extends keyof ClientEvents & string>(event: K, handler: EventHandler<K>): void {
    if (isLifecycle(event)) this.host.offLifecycle(event, handler as EventHandler<LifecycleEvent>);
    else this.emitter.off(event as keyof RealmEvents, handler as (value: RealtimeEvent) => void);
  }

  /** Delivers an event from the server to this realm's listeners. @internal */
  dispatch(event: RealtimeEvent): void {
    this.emitter.emit('event', event);
    this.emitter.emit(`event:${event.topic}`, event);
  }

  /** Removes every listener. @internal */
  clear(): void {
    this.emitter.clear();
  }
}
