import createDebug from 'debug';
import {
  DEFAULT_REALM,
  REQUEST_SCHEMAS,
  parseInput,
  type ClientToServerEvents,
  type RequestOf,
  type ResultOf,
  ConflictError,
  UnavailableError,
  defaultRealmOf,
  errorFromShape,
  ClientConnectionReason,
  isAuthError,
  isConnectionLoss,
  isRetryable,
  toRealtimeError,
  type LoginResult,
  type ConnectionStatus,
  type Area,
  type FeedData,
  type RealmInfo,
  type RealmObject,
  type PubsubMessage,
  type RealtimeError,
  type RealtimeEvent,
  type SearchResult,
} from '../shared/index.js';
import { assertToken, resolveClientOptions, type RealtimeClientOptions, type ResolvedClientOptions } from './client-options.js';
import { ConnectionManager } from './connection-manager.js';
import type { ConnectionState } from './connection-state.js';
import { Emitter, type Disposer } from './emitter.js';
import { RealtimeRealm, type ClientEvents, type EventHandler, type PublishOptions, type RealmHost, type SearchOptions } from './realtime-realm.js';
import type { AreasClient } from './objects/areas-client.js';
import { FeedRegistry } from './objects/feed-registry.js';
import type { ObjectsClient } from './objects/objects-client.js';
import type { ObjectsTransport } from './objects/objects-transport.js';
import type { PubsubClient } from './objects/pubsub-client.js';
import { PubsubRegistry } from './objects/pubsub-registry.js';
import { RealmsClient } from './objects/realms-client.js';
import { SubscriptionBudget } from './objects/subscription-budget.js';
import { HeartbeatMonitor } from './heartbeat-monitor.js';
import { OfflineWriteQueue } from './offline-write-queue.js';
import { RecordSubscriptionClient } from './record-subscription-client.js';
import { RequestManager } from './request-manager.js';
import { Resubscriber } from './resubscriber.js';
import { SubscriptionManager, type SubscribeOptions } from './subscription-manager.js';
import type { SyncClient } from './sync-client.js';
import type { SocketClient } from './socket-client.js';
import { SocketClientRegistry } from './socket-client-registry.js';
import { decodeToken } from './token-helpers.js';
import { RpcClient } from './rpc-client.js';
import { ListenClient, type ListenHandler, type ListenOptions } from './listen-client.js';
import { UserPresenceClient } from './user-presence-client.js';

const debugLog = createDebug('realtime:client');

/** The requests the `offlineWrites` option keeps while the client is not connected. */
const OFFLINE_WRITES: ReadonlySet<keyof ClientToServerEvents> = new Set([
  'sync:create',
  'sync:replace',
  'sync:merge',
  'sync:mutate',
  'sync:delete',
  'topic:publish',
] as const);

interface LifecycleEvents {
  connection: ClientEvents['connection'];
  error: ClientEvents['error'];
  resubscribed: ClientEvents['resubscribed'];
  ping: ClientEvents['ping'];
}

/**
 * What `client.login()` takes: a token, or params for the server's auth hook.
 *
 * @example
 * await client.login({ token });
 * await client.login({ params: { type: 'email', email, password } });
 */
export type LoginCredentials =
  | {
      /** The JWT to log in with; it is also the handshake token of every later reconnection. */
      token: string;
    }
  | {
      /** Any JSON object the server's auth hook judges; kept, to log in again on every reconnection. */
      params: Record<string, unknown>;
    };

/** Events the client's own parts (document watchers) listen to. */
interface InternalEvents {
  /** Every sync event, before the user's listeners; keyed by realm in `realm`. */
  sync: RealtimeEvent;
}

/**
 * The platform client for browsers and Node.js: one Socket.IO connection for topic subscriptions
 * (and, as they land, sync documents and channels), with reconnection, resubscription and typed
 * errors.
 *
 * @example
 * const client = new RealtimeClient({ url: 'http://localhost:3000', token });
 * client.subscribe({ topic: 'session.status', filter: { campusId: 12 } });
 * client.on('event:session.status', (event) => console.log(event.payload));
 * await client.ready();
 */
export class RealtimeClient {
  private readonly options: ResolvedClientOptions;
  private token: string | undefined;
  /** The params of the last `login({ params })` that succeeded: sent again on every reconnection. */
  private loginParams: Record<string, unknown> | undefined;
  private readonly heartbeats: HeartbeatMonitor;
  private lastPing: number | undefined;
  private readonly connection: ConnectionManager;
  private readonly requests: RequestManager;
  /** Writes kept while not connected (`offlineWrites` option). */
  private readonly offline: OfflineWriteQueue | undefined;
  private readonly subscriptions: SubscriptionManager;
  private readonly socketClients: SocketClientRegistry;
  private readonly resubscriber: Resubscriber;
  private readonly objectsTransport: ObjectsTransport;
  private readonly feeds: FeedRegistry;
  private readonly pubsubs: PubsubRegistry;
  /** Realm metadata: get, create, update, list, delete, subscribe. */
  readonly realms: RealmsClient;
  /**
   * Remote procedure calls: `provide(name, handler)`, `unprovide(name)`, `make(name, data)`, in
   * the client's realm unless told otherwise (see {@link RpcClient}).
   */
  readonly rpc: RpcClient;
  /**
   * Listening (active data providers): `listen(pattern, handler, { kind })`, `unlisten`,
   * `hasProvider`, `onProviderChanged` (see {@link ListenClient}).
   */
  readonly listening: ListenClient;
  /** User presence: `subscribe(users, handler)`, `getAll(users?)` (see {@link UserPresenceClient}). */
  readonly users: UserPresenceClient;
  /** Record subscriptions for record listening: `subscribe(name)`, `unsubscribe(name)` (see {@link RecordSubscriptionClient}). */
  readonly records: RecordSubscriptionClient;
  private readonly lifecycle: Emitter<LifecycleEvents>;
  private readonly internal: Emitter<InternalEvents>;
  private readonly realmViews = new Map<string, RealtimeRealm>();
  /** The realm of `client.sync`, `client.subscribe()`, ...: the `realm` option, else the token's (see setToken). */
  private defaultRealm: RealtimeRealm;
  private readonly disposers: Disposer[] = [];
  private destroyed = false;

  constructor(options: RealtimeClientOptions) {
    this.options = resolveClientOptions(options);
    this.token = this.options.token;
    const log = makeLogger(this.options.debug);
    this.lifecycle = new Emitter<LifecycleEvents>((err, event) => {
      if (event !== 'error') this.reportError(toRealtimeError(err));
      else log('an error listener threw', { err });
    });
    this.internal = new Emitter<InternalEvents>((err) => this.reportError(toRealtimeError(err)));
    this.connection = new ConnectionManager({
      url: this.options.url,
      path: this.options.path,
      getToken: () => this.token,
      getLoginParams: () => this.loginParams,
      heartbeatInterval: this.options.heartbeatInterval,
      requestTimeout: this.options.requestTimeout,
      reconnection: this.options.reconnection,
      reconnectionAttempts: this.options.reconnectionAttempts,
      reconnectionDelay: this.options.reconnectionDelay,
      reconnectionDelayMax: this.options.reconnectionDelayMax,
      randomizationFactor: this.options.randomizationFactor,
      connectTimeout: this.options.connectTimeout,
      transports: this.options.transports,
      batchedFrames: this.options.batchedFrames,
      log,
    });
    this.requests = new RequestManager(this.connection, this.options.requestTimeout, this.options.outgoingMessageBufferTime);
    this.heartbeats = new HeartbeatMonitor({
      connection: this.connection,
      interval: this.options.heartbeatInterval,
      onPing: (ms) => {
        this.lastPing = ms;
        this.lifecycle.emit('ping', { ms });
      },
    });
    const offlineWrites = this.options.offlineWrites;
    this.offline = offlineWrites === undefined ? undefined : new OfflineWriteQueue(offlineWrites === true ? {} : offlineWrites);
    this.subscriptions = new SubscriptionManager(
      this.connection,
      this.requests,
      (error) => this.reportError(error),
      ({ internal, ...notice }) => {
        if (internal !== true) this.lifecycle.emit('resubscribed', notice);
      },
    );
    this.socketClients = new SocketClientRegistry(this.connection, this.requests, (error) => this.reportError(error));
    this.objectsTransport = {
      request: (event, payload) => {
        this.assertUsable();
        return this.requests.request(event, payload);
      },
      send: (event, payload) => {
        this.assertUsable();
        this.requests.send(event, payload);
      },
      reportError: (error) => this.reportError(error),
    };
    const budget = new SubscriptionBudget(this.options.maxObjectSubscriptions);
    this.feeds = new FeedRegistry(this.objectsTransport, budget);
    this.pubsubs = new PubsubRegistry(this.objectsTransport, budget);
    this.realms = new RealmsClient(this.objectsTransport, this.feeds);
    this.defaultRealm = this.realm(this.options.realm ?? realmFromToken(this.token));

    const socket = this.connection.socket;
    const onEvent = (event: RealtimeEvent): void => {
      const realm = event.metadata.realm;
      if (!this.subscriptions.positions.noteEvent(event)) return; // a duplicate (see StreamPositions)
      if (event.source === 'sync') this.internal.emit('sync', event);
      if (this.subscriptions.wantedByUser(realm, event)) this.realmViews.get(realm)?.dispatch(event);
    };
    // The server's answer to a request sent without an acknowledgement (`object:set`), as its typed error.
    const onProtocolError = (shape: unknown): void => this.reportError(errorFromShape(shape));
    const onFeedData = (data: FeedData<RealmObject> | FeedData<Area> | FeedData<RealmInfo>): void => this.feeds.receive(data as FeedData<unknown>);
    const onPubsubMessage = (message: PubsubMessage): void => this.pubsubs.receive(message);
    socket.on('event', onEvent);
    socket.on('protocol:error', onProtocolError);
    socket.on('feed:data', onFeedData);
    socket.on('pubsub:message', onPubsubMessage);
    this.disposers.push(
      () => socket.off('event', onEvent),
      () => socket.off('protocol:error', onProtocolError),
      () => socket.off('feed:data', onFeedData),
      () => socket.off('pubsub:message', onPubsubMessage),
      this.connection.events.on('change', ({ state, previousState, reason, error, attempt }) => {
        this.lifecycle.emit('connection', {
          state,
          previousState,
          ...(reason === undefined ? {} : { reason }),
          ...(error === undefined ? {} : { error }),
          ...(attempt === undefined ? {} : { attempt }),
        });
      }),
      this.connection.events.on('error', (error) => this.reportError(error)),
    );
    // On every (re)connection: topics, then channels and open documents, then queued requests
    // (see Resubscriber). A new stream kind is one more add().
    this.resubscriber = new Resubscriber({
      onOpen: (listener) => this.connection.events.on('open', listener),
      flushQueued: () => {
        this.requests.flush();
        this.offline?.flush();
      },
      onError: (err) => this.reportError(toRealtimeError(err)),
    });
    this.resubscriber.add(this.subscriptions);
    this.resubscriber.add(this.socketClients);
    this.resubscriber.add(this.feeds);
    this.resubscriber.add(this.pubsubs);
    const featureDeps = {
      connection: this.connection,
      requests: this.requests,
      defaultRealm: () => this.realmId,
      reportError: (error: RealtimeError) => this.reportError(error),
    };
    this.rpc = new RpcClient(featureDeps);
    this.listening = new ListenClient(featureDeps);
    this.users = new UserPresenceClient(featureDeps);
    this.resubscriber.add(this.rpc);
    this.resubscriber.add(this.listening);
    this.resubscriber.add(this.users);
    this.records = new RecordSubscriptionClient(featureDeps);
    this.resubscriber.add(this.records);
    if (this.options.autoConnect) this.connect();
  }

  /** Revisioned JSON documents in the client's realm (`client.realm(id).sync` for others). */
  get sync(): SyncClient {
    return this.defaultRealm.sync;
  }

  /** Channels, direct messages and presence in the client's realm (`client.realm(id).socketClient` for others). */
  get socketClient(): SocketClient {
    return this.defaultRealm.socketClient;
  }

  /** Objects in the client's realm (`client.realm(id).objects` for others). */
  get objects(): ObjectsClient {
    return this.defaultRealm.objects;
  }

  /** Areas in the client's realm. */
  get areas(): AreasClient {
    return this.defaultRealm.areas;
  }

  /** Realm pub/sub in the client's realm. */
  get pubsub(): PubsubClient {
    return this.defaultRealm.pubsub;
  }

  /** Searches the ids, labels and data of the objects and areas of the client's realm. */
  search(query: string, options?: SearchOptions): Promise<SearchResult[]> {
    return this.defaultRealm.search(query, options);
  }

  /** The data-provider status of an object (`'connected'` or `'disconnected'`); needs `P` on `object/<id>`. */
  connectionStatus(objectId: string): Promise<ConnectionStatus> {
    return this.defaultRealm.connectionStatus(objectId);
  }

  /** Round trip of the last heartbeat, ms (`undefined` before the first; see `heartbeatInterval`). */
  get ping(): number | undefined {
    return this.lastPing;
  }

  /** The server's version (its package.json `version`), from the last connection; `undefined` before one. */
  get serverVersion(): string | undefined {
    return this.connection.serverInfo?.serverVersion;
  }

  /** The server's build date (ISO 8601: when its process started), from the last connection; `undefined` before one. */
  get serverBuildDate(): string | undefined {
    return this.connection.serverInfo?.serverBuildDate;
  }

  /**
   * Logs in with `token`, for a client made without one (its connection waits quarantined, in
   * state `'awaiting-login'`). Resolves once the server accepted it, with the user, realms, expiry
   * and the server's version; subscriptions and the requests made meanwhile then go out. The token
   * is kept: every reconnection sends it in the handshake (and `setToken()` replaces it). Opens
   * the connection if it was not (`autoConnect: false`, or after `disconnect()`).
   *
   * A refused token rejects with `AuthError` (`AUTH_FAILED`, `TOKEN_EXPIRED`) and leaves the
   * connection waiting for another try; after the server's `maxLoginAttempts` failures it rejects
   * with `TooManyAuthAttemptsError` and the server closes the connection. Already connected with a
   * token, it is `setToken(token)` (the same user required).
   *
   * With `{ params }` (any JSON object) the server's auth hook judges the login instead (README
   * "Logging in through an auth hook"); the result carries the hook's `clientData`, the params are
   * kept and sent again on every reconnection, and on a connected client it is a `CONFLICT`.
   *
   * @example
   * const client = new RealtimeClient({ url });
   * const { userId, serverVersion } = await client.login({ token });
   * const { clientData } = await client.login({ params: { type: 'email', email, password } });
   */
  async login(credentials: LoginCredentials): Promise<LoginResult> {
    this.assertUsable();
    if (typeof credentials === 'object' && credentials !== null && 'params' in credentials) return this.loginWithParams(credentials.params);
    const token = typeof credentials === 'object' && credentials !== null ? credentials.token : undefined;
    assertToken(token);
    if (this.connection.state === 'disconnected') this.connection.connect();
    for (;;) {
      await this.whenSettled();
      const state = this.connection.state;
      if (state === 'connected') {
        await this.setToken(token);
        return this.loginResult();
      }
      if (state !== 'awaiting-login') continue;
      try {
        const result = await this.connection.login({ token });
        this.adoptToken(token);
        return result;
      } catch (err) {
        // The connection went away during the login: log in on the next one.
        if (isConnectionLoss(err) && this.connection.state !== 'disconnected') continue;
        throw err;
      }
    }
  }

  /** `login({ params })`: the params are checked (the wire schema), kept for reconnections, and sent. */
  private async loginWithParams(params: Record<string, unknown>): Promise<LoginResult> {
    parseInput(REQUEST_SCHEMAS['auth:login'], { params }, 'auth:login request');
    if (this.connection.state === 'disconnected') this.connection.connect();
    for (;;) {
      await this.whenSettled();
      const state = this.connection.state;
      if (state === 'connected') throw new ConflictError('This client is logged in already; disconnect() before logging in again');
      if (state !== 'awaiting-login') continue;
      try {
        const result = await this.connection.login({ params });
        this.loginParams = params;
        // No token to read the default realm from: the user's only realm, else `default`.
        const [only, ...others] = result.realms;
        if (this.options.realm === undefined) this.defaultRealm = this.realm(only !== undefined && only !== '*' && others.length === 0 ? only : DEFAULT_REALM);
        return result;
      } catch (err) {
        if (isConnectionLoss(err) && this.connection.state !== 'disconnected') continue;
        throw err;
      }
    }
  }

  /** Current connection state: `'disconnected' | 'connecting' | 'awaiting-login' | 'connected' | 'reconnecting'`. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** True while the connection state is `'connected'`. */
  get connected(): boolean {
    return this.connection.state === 'connected';
  }

  /** The realm this client works in. */
  get realmId(): string {
    return this.defaultRealm.id;
  }

  /** Opens the connection (called automatically unless `autoConnect: false`). */
  connect(): void {
    this.assertUsable();
    this.connection.connect();
  }

  /** Closes the connection. Subscriptions are kept and re-established on the next `connect()`. */
  disconnect(): void {
    this.connection.disconnect();
  }

  /**
   * Resolves once connected and every pending subscription has been confirmed by the server.
   * Rejects with the error of a subscription the server refused, or with the error that ended the
   * connection (e.g. `AuthError`).
   */
  async ready(): Promise<void> {
    for (;;) {
      this.assertUsable();
      await this.whenConnected();
      const pending = this.subscriptions.pending();
      if (pending.length === 0) {
        if (this.connection.state === 'connected') return;
        continue;
      }
      const results = await Promise.allSettled(pending);
      for (const result of results) {
        if (result.status === 'rejected' && !isRetryable(result.reason)) throw result.reason;
      }
    }
  }

  /**
   * Replaces the token. While connected, the server verifies it at once (same user required) and the
   * connection continues under it; otherwise it is used at the next handshake. After an auth
   * failure, giving a new token reconnects.
   *
   * Whatever the new token no longer allows is taken away by the server before this resolves:
   * subscriptions, document watches, channels and open documents each end with a `FORBIDDEN` on
   * the client's `'error'` (with `details.subscriptionId`, `.document` or `.channel`), and data
   * providers follow the new `dpv`. Unless the client was built with a `realm` option, its default
   * realm (`realmId`, and what `client.sync`, `client.socketClient`, `client.subscribe()` use from
   * now on) becomes the new token's only realm (`'default'` when it has several); what was made
   * before stays in the realm it was made in.
   */
  async setToken(token: string): Promise<void> {
    this.assertUsable();
    assertToken(token);
    if (this.connection.state === 'awaiting-login') {
      await this.login({ token });
      return;
    }
    if (this.connection.state === 'connected') {
      try {
        await this.requests.request('auth:refresh', { token });
      } catch (err) {
        // Lost on the way: whether the server took it is unknown; the next handshake verifies it.
        if (isRetryable(err)) this.adoptToken(token);
        throw err;
      }
      this.adoptToken(token);
      return;
    }
    this.adoptToken(token);
    if (this.connection.state === 'disconnected' && isAuthError(this.connection.lastError)) this.connection.connect();
  }

  /** The same API scoped to another realm, over this client's connection. */
  realm(id: string): RealtimeRealm {
    let realm = this.realmViews.get(id);
    if (realm === undefined) {
      realm = new RealtimeRealm(id, this.realmHost);
      this.realmViews.set(id, realm);
    }
    return realm;
  }

  /** Subscribes to a topic; returns the subscription id (`'sub_1'`) at once. */
  subscribe(options: SubscribeOptions): string {
    return this.defaultRealm.subscribe(options);
  }

  /** Ends a subscription; the server stops delivering for it. */
  unsubscribe(subscriptionId: string): void {
    this.defaultRealm.unsubscribe(subscriptionId);
  }

  /**
   * Publishes an event (needs `C` on `topic/<topic>`); resolves with the created RealtimeEvent.
   * Over the server's rate limits it rejects with `LimitExceededError` (`code: 'RATE_LIMITED'`,
   * `err.retryAfterMs`); it is never re-sent by itself.
   */
  publish(topic: string, payload: Record<string, unknown>, options?: PublishOptions): Promise<RealtimeEvent> {
    return this.defaultRealm.publish(topic, payload, options);
  }

  /** Listens to `'event'`, `'event:<topic>'`, `'connection'` or `'error'`; returns the disposer. */
  on<K extends keyof ClientEvents & string>(event: K, handler: EventHandler<K>): Disposer {
    return this.defaultRealm.on(event, handler);
  }

  /** Removes a listener (the same function reference given to `on`). */
  off<K extends keyof ClientEvents & string>(event: K, handler: EventHandler<K>): void {
    this.defaultRealm.off(event, handler);
  }

  /** Disconnects, clears all subscriptions and removes every listener and timer. */
  /**
   * Listens on a topic (or, with `{ kind: 'record' }`, record) pattern: the platform offers this
   * client each matching stream that somebody subscribes to and nobody provides. The same as
   * `client.listening.listen`.
   *
   * @example
   * const stop = await client.listen('prices.*', (topic, response) => response.accept());
   */
  listen(pattern: string, handler: ListenHandler, options?: ListenOptions): Promise<Disposer> {
    return this.listening.listen(pattern, handler, options);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const error = new UnavailableError('The client has been destroyed');
    this.resubscriber.destroy();
    this.heartbeats.destroy();
    this.requests.destroy(error);
    this.offline?.destroy(error);
    this.subscriptions.destroy();
    this.socketClients.destroy();
    this.feeds.destroy();
    this.pubsubs.destroy();
    this.rpc.destroy();
    this.listening.destroy();
    this.users.destroy();
    this.records.destroy();
    for (const dispose of this.disposers.splice(0)) dispose();
    this.connection.destroy();
    for (const realm of this.realmViews.values()) realm.clear();
    this.lifecycle.clear();
    this.internal.clear();
  }

  private readonly realmHost: RealmHost = {
    subscribe: (realm, options) => {
      this.assertUsable();
      return this.subscriptions.add(realm, options);
    },
    unsubscribe: (subscriptionId) => this.subscriptions.remove(subscriptionId),
    publish: async (realm, topic, payload, options) => {
      this.assertUsable();
      return this.send('topic:publish', {
        realm,
        topic,
        payload,
        ...(options?.type === undefined ? {} : { type: options.type }),
      });
    },
    reportListenerError: (err) => this.reportError(toRealtimeError(err)),
    socketClient: (realm) => {
      this.assertUsable();
      return this.socketClients.forRealm(realm);
    },
    syncHost: {
      request: (event, payload) => {
        this.assertUsable();
        return this.send(event, payload);
      },
      subscribeInternal: (realm, options, owner) => {
        this.assertUsable();
        return this.subscriptions.add(realm, options, owner);
      },
      unsubscribe: (subscriptionId) => this.subscriptions.remove(subscriptionId),
      onSyncEvent: (realm, handler) =>
        this.internal.on('sync', (event) => {
          if (event.metadata.realm === realm) handler(event);
        }),
      reportError: (error) => this.reportError(error),
      updateTimeout: () => this.options.updateTimeout,
      defaultMergeStrategy: () => this.options.mergeStrategy,
    },
    objectsTransport: {
      request: (event, payload) => this.objectsTransport.request(event, payload),
      send: (event, payload) => this.objectsTransport.send(event, payload),
      reportError: (error) => this.reportError(error),
    },
    feeds: () => this.feeds,
    pubsub: () => this.pubsubs,
    onLifecycle: (event, handler) => this.lifecycle.on(event, handler as (value: LifecycleEvents[typeof event]) => void),
    offLifecycle: (event, handler) => this.lifecycle.off(event, handler as (value: LifecycleEvents[typeof event]) => void),
  };

  /**
   * Sends a request; with `offlineWrites`, a write made while not connected waits in the offline
   * queue (checked with its schema first) instead of failing or timing out.
   */
  private send<E extends keyof ClientToServerEvents>(event: E, payload: RequestOf<E>): Promise<ResultOf<E>> {
    if (this.offline === undefined || this.connection.state === 'connected' || !OFFLINE_WRITES.has(event)) {
      return this.requests.request(event, payload);
    }
    try {
      parseInput(REQUEST_SCHEMAS[event], payload, `${event} request`);
    } catch (err) {
      return Promise.reject(err);
    }
    const bytes = new TextEncoder().encode(JSON.stringify(payload)).length;
    return this.offline.hold(bytes, () => this.requests.request(event, payload));
  }

  /** Uses `token` from now on, and follows its realm unless the `realm` option pinned one. */
  private adoptToken(token: string): void {
    this.token = token;
    if (this.options.realm === undefined) this.defaultRealm = this.realm(realmFromToken(token));
  }

  /** What `login()` answers when the connection is logged in already. */
  private loginResult(): LoginResult {
    const user = this.connection.user;
    const server = this.connection.serverInfo;
    if (user === undefined || server === undefined) throw new UnavailableError('The connection closed during the login');
    return { ...user, realms: [...user.realms], ...server };
  }

  /** Resolves once the connection is `connected` or `awaiting-login`; rejects when it ends for good. */
  private whenSettled(): Promise<void> {
    const settled = (state: ConnectionState): boolean => state === 'connected' || state === 'awaiting-login';
    if (settled(this.connection.state)) return Promise.resolve();
    const failed = this.connection.lastError;
    if (this.connection.state === 'disconnected') {
      return Promise.reject(failed ?? new UnavailableError('The client is disconnected; call connect()'));
    }
    return new Promise((resolve, reject) => {
      const off = this.connection.events.on('change', ({ state, error }) => {
        if (settled(state)) {
          off();
          resolve();
        } else if (state === 'disconnected') {
          off();
          reject(error ?? new UnavailableError('The client is disconnected; call connect()'));
        }
      });
    });
  }

  private whenConnected(): Promise<void> {
    if (this.connection.state === 'connected') return Promise.resolve();
    const failed = this.connection.lastError;
    if (this.connection.state === 'disconnected' && failed !== undefined) return Promise.reject(failed);
    return new Promise((resolve, reject) => {
      const off = this.connection.events.on('change', ({ state, error }) => {
        if (state === 'connected') {
          off();
          resolve();
        } else if (state === 'disconnected' && error !== undefined) {
          off();
          reject(error);
        }
      });
      const offDestroyed = this.lifecycle.on('connection', ({ reason }) => {
        if (reason === ClientConnectionReason.CLIENT_DESTROYED) {
          offDestroyed();
          off();
          reject(new UnavailableError('The client has been destroyed'));
        }
      });
    });
  }

  private reportError(error: RealtimeError): void {
    debugLog('error %s: %s', error.code, error.message);
    this.lifecycle.emit('error', error);
  }

  private assertUsable(): void {
    if (this.destroyed) throw new UnavailableError('The client has been destroyed');
  }
}

function realmFromToken(token: string | undefined): string {
  if (token === undefined) return DEFAULT_REALM;
  try {
    return defaultRealmOf(decodeToken(token)) ?? DEFAULT_REALM;
  } catch {
    // An undecodable token is refused by the server at the handshake, with AUTH_FAILED.
    return DEFAULT_REALM;
  }
}

function makeLogger(option: RealtimeClientOptions['debug']): (message: string, context?: Record<string, unknown>) => void {
  if (typeof option === 'function') return option;
  const log = createDebug('realtime:client');
  if (option === true) log.enabled = true;
  return (message, context) => log('%s %o', message, context ?? {});
}
