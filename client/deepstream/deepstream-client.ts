import {
  ClientConnectionReason,
  ErrorCode,
  InvalidArgumentError,
  UnavailableError,
  isAuthError,
  toRealtimeError,
  type RealtimeError,
} from '../../shared/index.js';
import type { RealtimeClientOptions } from '../client-options.js';
import type { OfflineWritesOptions } from '../offline-write-queue.js';
import { RealtimeClient, type LoginCredentials } from '../realtime-client.js';
import { CONNECTION_STATE, EVENT, TOPIC, eventOfCode, type ConnectionStateName, type DeepstreamMergeStrategy, type DeepstreamTopic } from './constants.js';
import { DialectEmitter } from './dialect-emitter.js';
import type { DialectHost } from './dialect-host.js';
import { EventHandler } from './event-handler.js';
import { PresenceHandler } from './presence-handler.js';
import { RpcHandler } from './rpc-handler.js';
import { RecordHandler } from './record-handler.js';
import { serverUrl } from './server-url.js';
import { makeUid } from './uid.js';

/**
 * Options of `deepstream(url, options)`: deepstream's own names where they apply, and the
 * `RealtimeClient` underneath for the rest. Options deepstream has and the platform does not need
 * (`path`, heartbeat and timer settings, IndexedDB storage) are ignored.
 *
 * @example
 * deepstream('ws://localhost:3000', { mergeStrategy: deepstream.MERGE_STRATEGIES.LOCAL_WINS });
 */
export interface DeepstreamOptions {
  /**
   * How a record write that met a newer version is resolved, unless the record or a name pattern
   * has its own.
   * @default MERGE_STRATEGIES.REMOTE_WINS
   */
  mergeStrategy?: DeepstreamMergeStrategy;
  /**
   * Bounds of the record writes and event emits kept while offline; `false` fails them at once.
   * @default the `OfflineWritesOptions` defaults (100 writes, 1 MiB, 60 s)
   */
  offlineWrites?: OfflineWritesOptions | false;
  /**
   * Reconnection attempts before the state becomes `ERROR`.
   * @default Infinity
   */
  maxReconnectAttempts?: number;
  /**
   * Base reconnection delay, ms (the platform doubles it per attempt, with jitter).
   * @default 1000
   */
  reconnectIntervalIncrement?: number;
  /**
   * Longest reconnection delay, ms.
   * @default 30000
   */
  maxReconnectInterval?: number;
  /** Any other `RealtimeClient` option (`transports`, `path`, `requestTimeout`, ...). */
  realtime?: Partial<Omit<RealtimeClientOptions, 'url' | 'token' | 'mergeStrategy' | 'offlineWrites'>>;
}

/** What a successful `login` answers: the user's id, and the auth hook's `clientData` if it sent one. */
export interface DeepstreamClientData {
  id: string;
  [key: string]: unknown;
}

/** `login`'s callback: success, and the client data (or `{ reason }`). */
export type LoginCallback = (success: boolean, data: DeepstreamClientData | { reason: string }) => void;

/**
 * The client `deepstream(url, options)` returns: deepstream's API over one `RealtimeClient`. As in
 * deepstream, the connection opens at once (`AWAITING_CONNECTION`) and is kept in quarantine
 * (`AWAITING_AUTHENTICATION`) until `login()`; records and events made meanwhile start once
 * logged in. The server closes a connection that does not log in within its `loginTimeoutMs`;
 * `login()` then opens a new one.
 *
 * @example
 * const client = deepstream('ws://localhost:3000');
 * client.login({ token }, (success, data) => success && start(data.id));
 */
export class DeepstreamClient {
  /** Records, lists and anonymous records. */
  readonly record: RecordHandler;
  /** Events on `ds.*` topics. */
  readonly event: EventHandler;
  /** Remote procedure calls. */
  readonly rpc: RpcHandler;
  /** User presence. */
  readonly presence: PresenceHandler;
  private readonly realtimeClient: RealtimeClient;
  /** Set at the first successful login: until then records and RPCs say "Log in first". */
  private loggedIn = false;
  private state: ConnectionStateName = CONNECTION_STATE.AWAITING_CONNECTION;
  private readonly emitter: DialectEmitter;
  private readonly openListeners = new Set<() => void>();
  private readonly url: string;
  private closed = false;

  constructor(
    url: string,
    private readonly options: DeepstreamOptions = {},
  ) {
    this.url = serverUrl(url);
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('deepstream options must be an object');
    // A listener that throws must not stop the others; it surfaces as an uncaught error.
    this.emitter = new DialectEmitter((err) =>
      queueMicrotask(() => {
        throw err;
      }),
    );
    const host: DialectHost = {
      realtime: () => (this.loggedIn ? this.realtimeClient : undefined),
      isOpen: () => this.state === CONNECTION_STATE.OPEN,
      onOpen: (listener) => {
        this.openListeners.add(listener);
        return () => this.openListeners.delete(listener);
      },
      reportError: (error, topic) => this.reportError(error, topic),
    };
    this.record = new RecordHandler(host, options.mergeStrategy);
    this.event = new EventHandler(host, makeUid());
    this.rpc = new RpcHandler(host);
    this.presence = new PresenceHandler(host);
    this.realtimeClient = this.createRealtime();
  }

  /** The `RealtimeClient` underneath, for what deepstream has no name for. */
  get realtime(): RealtimeClient {
    return this.realtimeClient;
  }

  /**
   * Authenticates: `authParams` is `{ token }` (a platform JWT), or any other object, which the
   * server's auth hook judges (deepstream's HTTP auth: `{ type: 'email', email, password }`,
   * `{ username, password }`). Resolves with the client data (the hook's `clientData` with `id`,
   * the user's id) and calls `callback(true, data)`; on failure calls `callback(false, { reason })`
   * (or rejects with `{ reason }` without a callback) and the state goes back to
   * `AWAITING_AUTHENTICATION`. After the server's `maxLoginAttempts` failures the server closes
   * the connection and the state becomes `CLOSED` (deepstream has no `TOO_MANY_AUTH_ATTEMPTS`
   * state; the `'error'` event names `TOO_MANY_AUTH_ATTEMPTS`). The params are sent again on
   * every reconnection.
   */
  login(authParams: Record<string, unknown> = {}, callback?: LoginCallback): Promise<DeepstreamClientData> {
    if (!this.closed && this.state !== CONNECTION_STATE.OPEN) this.setState(CONNECTION_STATE.AUTHENTICATING);
    const attempt = this.authenticate(authParams);
    return attempt.then(
      (data) => {
        callback?.(true, data);
        return data;
      },
      (err: unknown) => {
        const error = toRealtimeError(err);
        if (this.state === CONNECTION_STATE.AUTHENTICATING) this.setState(CONNECTION_STATE.AWAITING_AUTHENTICATION);
        this.reportError(error, TOPIC.AUTH);
        const reason = { reason: error.message };
        if (callback === undefined) throw reason;
        callback(false, reason);
        return undefined as unknown as DeepstreamClientData;
      },
    );
  }

  /** Ends the connection for good (the state becomes `CLOSED`); the instance cannot be reused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.realtimeClient.destroy();
    this.setState(CONNECTION_STATE.CLOSED);
  }

  /** The current `CONNECTION_STATE` value. */
  getConnectionState(): ConnectionStateName {
    return this.state;
  }

  /** A unique id: a base-36 timestamp, `-`, a random base-36 string. */
  getUid(): string {
    return makeUid();
  }

  /**
   * Listens to `'connectionStateChanged'` (`(state)`) or `'error'` (`(message, event, topic)`,
   * every error of the client and its records and events).
   */
  on(event: string, listener: (...args: never[]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  off(event?: string, listener?: (...args: never[]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  once(event: string, listener: (...args: never[]) => void): this {
    this.emitter.once(event, listener);
    return this;
  }

  private async authenticate(authParams: Record<string, unknown>): Promise<DeepstreamClientData> {
    if (this.closed) throw new UnavailableError('The client is closed');
    if (typeof authParams !== 'object' || authParams === null || Array.isArray(authParams)) {
      throw new InvalidArgumentError('login authParams must be an object');
    }
    const { token } = authParams;
    const credentials: LoginCredentials = typeof token === 'string' && Object.keys(authParams).length === 1 ? { token } : { params: authParams };
    const result = await this.realtimeClient.login(credentials);
    if (!this.loggedIn) {
      // What was made before the first login starts now.
      this.loggedIn = true;
      this.record.attach(this.realtimeClient);
      this.event.attach(this.realtimeClient);
      this.rpc.attach(this.realtimeClient);
      this.presence.attach(this.realtimeClient);
    }
    if (this.state !== CONNECTION_STATE.OPEN && this.realtimeClient.connected) this.setState(CONNECTION_STATE.OPEN);
    return { ...result.clientData, id: result.userId };
  }

  private createRealtime(): RealtimeClient {
    const offline = this.options.offlineWrites;
    const realtime = new RealtimeClient({
      ...this.options.realtime,
      url: this.url,
      reconnectionAttempts: this.options.maxReconnectAttempts ?? this.options.realtime?.reconnectionAttempts ?? Infinity,
      ...(this.options.reconnectIntervalIncrement === undefined ? {} : { reconnectionDelay: this.options.reconnectIntervalIncrement }),
      ...(this.options.maxReconnectInterval === undefined ? {} : { reconnectionDelayMax: this.options.maxReconnectInterval }),
      ...(offline === false ? {} : { offlineWrites: offline ?? true }),
    });
    realtime.on('connection', ({ state, reason, error }) => {
      if (this.closed) return;
      if (state === 'connected') {
        // OPEN once logged in: the login's answer (authenticate) may come after this event.
        if (this.loggedIn) this.setState(CONNECTION_STATE.OPEN);
      } else if (state === 'awaiting-login') {
        if (this.state !== CONNECTION_STATE.AUTHENTICATING) this.setState(CONNECTION_STATE.AWAITING_AUTHENTICATION);
      } else if (state === 'reconnecting') this.setState(CONNECTION_STATE.RECONNECTING);
      else if (state === 'connecting') {
        if (this.state !== CONNECTION_STATE.AUTHENTICATING) this.setState(CONNECTION_STATE.AWAITING_CONNECTION);
      } else if (reason === ClientConnectionReason.CLIENT_DESTROYED) this.setState(CONNECTION_STATE.CLOSED);
      else if (error?.code === ErrorCode.TOO_MANY_AUTH_ATTEMPTS) this.setState(CONNECTION_STATE.CLOSED);
      else this.setState(isAuthError(error) ? CONNECTION_STATE.AWAITING_AUTHENTICATION : CONNECTION_STATE.ERROR);
    });
    realtime.on('error', (error) => this.reportError(error, isAuthError(error) ? TOPIC.AUTH : TOPIC.CONNECTION));
    return realtime;
  }

  private setState(state: ConnectionStateName): void {
    if (this.state === state) return;
    this.state = state;
    this.emitter.emit(EVENT.CONNECTION_STATE_CHANGED, state);
    if (state === CONNECTION_STATE.OPEN) for (const listener of [...this.openListeners]) listener();
  }

  private reportError(error: RealtimeError, topic: DeepstreamTopic): void {
    this.emitter.emit('error', error.message, eventOfCode(error.code), topic);
  }
}
