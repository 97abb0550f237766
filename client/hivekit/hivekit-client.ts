import { isAuthError, toRealtimeError, type RealtimeError } from '../../shared/index.js';
import type { ConnectionChange } from '../connection-state.js';
import { RealtimeClient } from '../realtime-client.js';
import type { HivekitBackend } from './hivekit-backend.js';
import { HIVEKIT_CONSTANTS, type HivekitConnectionStatus, type HivekitErrorType } from './hivekit-constants.js';
import type { HivekitContext } from './hivekit-context.js';
import { HivekitEmitter, type HivekitListener } from './hivekit-emitter.js';
import { hivekitError, toHivekitError, type HivekitRequestError } from './hivekit-errors.js';
import { httpBackend } from './hivekit-http-backend.js';
import { httpTransport } from './hivekit-http-transport.js';
import { hivekitId } from './hivekit-id.js';
import { CONSOLE_LOGGER, type HivekitLogger } from './hivekit-log.js';
import { resolveHivekitOptions, type HivekitClientOptions, type ResolvedHivekitOptions } from './hivekit-options.js';
import { HivekitRealmHandler } from './hivekit-realm-handler.js';
import { hivekitEndpoint } from './hivekit-url.js';
import { wsBackend } from './hivekit-ws-backend.js';

/**
 * The version of this SDK (`client.version`): the platform's package version.
 *
 * @example
 * new HivekitClient().version === HIVEKIT_CLIENT_VERSION; // true
 */
export const HIVEKIT_CLIENT_VERSION = '0.1.0';

/**
 * Seams for tests and unusual runtimes.
 *
 * @example
 * new HivekitClient({ logErrors: true }, { logger: myLogger, fetch: myFetch });
 */
export interface HivekitClientSeams {
  /** Where `logMessages` and `logErrors` write. @default the console */
  logger?: HivekitLogger;
  /** The `fetch` of HTTP mode. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * The Hivekit client (`@hivekit/client-js` 1.11.1's API) over this platform: code written for
 * Hivekit runs unchanged, while every call is the platform's own (`RealtimeClient` over Socket.IO,
 * or the REST API after `useHTTP()`); nothing speaks Hivekit's wire format.
 *
 * Connection states: `disconnected` → `connecting` → `connected` (open, quarantined until
 * `authenticate(token)`) → `authenticated`; `disconnecting` during `disconnect()`. When the link
 * drops the client reports `disconnected_retrying`, goes `disconnected` → `connecting` →
 * `connected` → `authenticated` again by itself (logging in with the same token), and re-sends
 * its subscriptions; after `maxReconnectAttempts` it reports `max_reconnect_attempts_exceeded`.
 *
 * @example
 * import HivekitClient from 'realtime-platform/hivekit';
 * const client = new HivekitClient();
 * await client.connect('ws://localhost:3000/ws');
 * await client.authenticate(token);
 * const realm = await client.realm.get('london');
 * await realm.object.create('riders/7', { label: 'Ada', location: { latitude: 51.5, longitude: -0.12 } });
 */
export class HivekitClient {
  /** Hivekit's constants (`C`). */
  readonly constants = HIVEKIT_CONSTANTS;
  /** This SDK's version. */
  readonly version = HIVEKIT_CLIENT_VERSION;
  /** The options in use (defaults applied, unknown keys dropped). */
  readonly options: ResolvedHivekitOptions;
  /** Realms: get, create, list, delete, subscribe. */
  readonly realm: HivekitRealmHandler;
  private readonly emitter: HivekitEmitter;
  private readonly logger: HivekitLogger;
  private readonly fetchImpl: typeof fetch | undefined;
  private status: HivekitConnectionStatus = 'disconnected';
  private currentMode: 'ws' | 'http' = 'ws';
  private url: string | undefined;
  private client: RealtimeClient | undefined;
  private backend: HivekitBackend | undefined;
  private authToken: string | undefined;
  private pendingConnect: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  private readonly context: HivekitContext;

  constructor(options?: HivekitClientOptions, seams: HivekitClientSeams = {}) {
    this.options = resolveHivekitOptions(options);
    this.logger = seams.logger ?? CONSOLE_LOGGER;
    this.fetchImpl = seams.fetch;
    this.emitter = new HivekitEmitter((err) => this.reportError(messageOf(err), HIVEKIT_CONSTANTS.ERROR.SERVER_ERROR, err));
    this.context = {
      backend: () => {
        if (this.backend === undefined) throw hivekitError('client not connected. Did you call .connect() or .useHTTP() first?');
        return this.backend;
      },
      call: (name, args, run) => this.call(name, args, run),
      reportListenerError: (err) => this.reportError(messageOf(err), HIVEKIT_CONSTANTS.ERROR.SERVER_ERROR, err),
    };
    this.realm = new HivekitRealmHandler(this.context);
  }

  /** `'disconnected' | 'connecting' | 'connected' | 'authenticated' | 'disconnecting'`. */
  get connectionStatus(): HivekitConnectionStatus {
    return this.status;
  }

  /** `'ws'`, or `'http'` after `useHTTP()`. */
  get mode(): 'ws' | 'http' {
    return this.currentMode;
  }

  /** Round trip of the last heartbeat, ms (`undefined` before the first one). */
  get ping(): number | undefined {
    return this.client?.ping;
  }

  /** The server's version; there once `authenticated` (over WebSocket). */
  get serverVersion(): string | undefined {
    return this.status === 'authenticated' ? this.client?.serverVersion : undefined;
  }

  /** The server's build date (ISO 8601); there once `authenticated` (over WebSocket). */
  get serverBuildDate(): string | undefined {
    return this.status === 'authenticated' ? this.client?.serverBuildDate : undefined;
  }

  /** The token `authenticate()` was given (used again after each reconnect). */
  get token(): string | undefined {
    return this.authToken;
  }

  /**
   * Opens the WebSocket connection to `serverUrl` (`ws(s)://` or `http(s)://`, with or without a
   * path such as `/ws` or `/api/v1/ws`): resolves once it is open (`connected`, quarantined until
   * `authenticate()`); rejects when no attempt succeeds (`maxReconnectAttempts`).
   */
  connect(serverUrl: string): Promise<void> {
    if (this.currentMode === 'http' && this.backend !== undefined) return Promise.reject(hivekitError('client is in HTTP mode (useHTTP was called)'));
    if (this.client !== undefined) return Promise.reject(hivekitError('client is already connected'));
    let endpoint: ReturnType<typeof hivekitEndpoint>;
    try {
      endpoint = hivekitEndpoint(serverUrl);
    } catch (err) {
      return Promise.reject(err);
    }
    this.url = serverUrl;
    const client = new RealtimeClient({
      url: endpoint.baseUrl,
      path: endpoint.socketPath,
      reconnection: this.options.maxReconnectAttempts > 0,
      reconnectionAttempts: this.options.maxReconnectAttempts,
      reconnectionDelay: this.options.reconnectInterval,
      reconnectionDelayMax: this.options.reconnectInterval,
      randomizationFactor: 0,
      outgoingMessageBufferTime: this.options.outgoingMessageBufferTime,
      heartbeatInterval: this.options.heartbeatInterval,
      transports: ['websocket', 'polling'],
      onWarning: () => undefined,
      autoConnect: false,
    });
    this.client = client;
    this.backend = wsBackend(client);
    this.currentMode = 'ws';
    client.on('connection', (change) => this.onConnection(client, change));
    client.on('error', (error) => this.onClientError(client, error));
    client.on('ping', ({ ms }) => this.emitter.emit('ping', ms));
    const opened = new Promise<void>((resolve, reject) => {
      this.pendingConnect = { resolve, reject };
    });
    this.setStatus('connecting');
    client.connect();
    return opened;
  }

  /** Uses the REST API at `serverUrl` for every call instead of a WebSocket (no subscriptions); call it instead of `connect()`. */
  useHTTP(serverUrl: string): Promise<void> {
    if (this.client !== undefined) return Promise.reject(hivekitError('client is already connected over WebSocket'));
    try {
      const { baseUrl } = hivekitEndpoint(serverUrl);
      this.url = serverUrl;
      this.currentMode = 'http';
      this.realm.reset();
      this.backend = httpBackend(
        httpTransport({
          baseUrl,
          getToken: () => this.authToken,
          reportError: (error) => this.reportError(error.message, HIVEKIT_CONSTANTS.ERROR.SERVER_ERROR, toHivekitError(error)),
          ...(this.fetchImpl === undefined ? {} : { fetch: this.fetchImpl }),
        }),
      );
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Logs the connection in with a JWT. Over WebSocket, resolves once the server accepted it
   * (`authenticated`), rejects with `{ message, code: 401 }` for a bad token; over HTTP the token
   * is kept for every request.
   */
  async authenticate(token: string): Promise<void> {
    if (this.currentMode === 'http' && this.backend !== undefined) {
      this.authToken = token;
      this.setStatus('authenticated');
      return;
    }
    const client = this.client;
    if (client === undefined || this.status === 'connecting' || this.status === 'disconnected') {
      throw hivekitError("can't authenticate: client not connected. Did you call .connect() before calling .authenticate()?");
    }
    try {
      await client.login({ token });
      this.authToken = token;
    } catch (err) {
      throw toHivekitError(err);
    }
    if (this.client === client && client.state === 'connected') this.setStatus('authenticated');
  }

  /** Closes the connection for good (no reconnection); rejects with `'client not connected'` when there is none. */
  async disconnect(): Promise<void> {
    const client = this.client;
    if (client === undefined) {
      if (this.currentMode === 'http' && this.backend !== undefined) {
        this.backend = undefined;
        this.setStatus('disconnected');
        return;
      }
      throw hivekitError('client not connected');
    }
    this.setStatus('disconnecting');
    this.client = undefined;
    this.backend = undefined;
    this.realm.reset();
    this.pendingConnect?.reject(hivekitError('client disconnected', 499));
    this.pendingConnect = undefined;
    client.destroy();
    this.setStatus('disconnected');
  }

  /** `prefix-<random url-safe id>`. */
  getId(prefix: string): string {
    return hivekitId(prefix);
  }

  /** The URL given to `connect()` or `useHTTP()`. */
  getURL(): string | undefined {
    return this.url;
  }

  /** Listens to `'error'`, `'ping'` or `'connectionStatusChanged'`; returns the listener id. */
  on(eventName: string, callback: HivekitListener, context?: unknown, order?: number): number {
    return this.emitter.on(eventName, callback, context, order);
  }

  /** Removes a listener added with `on` (with the same context, when one was given). */
  off(eventName: string, callback: HivekitListener, context?: unknown): void {
    this.emitter.off(eventName, callback, context);
  }

  /** Removes a listener by the id `on` returned. */
  removeListenerById(eventName: string, id: number): void {
    this.emitter.removeListenerById(eventName, id);
  }

  /** Whether `eventName` has listeners. */
  hasListeners(eventName: string): boolean {
    return this.emitter.hasListeners(eventName);
  }

  /** Emits an event to the client's listeners. */
  emit(eventName: string, ...args: unknown[]): void {
    this.emitter.emit(eventName, ...args);
  }

  private onConnection(client: RealtimeClient, change: ConnectionChange): void {
    if (this.client !== client) return; // a client this one has let go of
    const { ERROR } = HIVEKIT_CONSTANTS;
    switch (change.state) {
      case 'connecting':
        this.setStatus('connecting');
        break;
      case 'awaiting-login':
        this.setStatus('connected');
        this.settleConnect();
        break;
      case 'connected':
        // A reconnect logs in again by itself (same token): Hivekit users see both steps.
        this.setStatus('connected');
        this.settleConnect();
        this.setStatus('authenticated');
        break;
      case 'reconnecting':
        if (this.status === 'authenticated' || this.status === 'connected') {
          this.reportError('connection lost, reconnecting', ERROR.DISCONNECTED_RETRYING, { reason: change.reason });
          this.setStatus('disconnected');
        }
        this.setStatus('connecting');
        break;
      case 'disconnected': {
        const failure = change.error;
        const gaveUp = failure !== undefined && !isAuthError(failure);
        if (gaveUp) this.reportError(failure.message, ERROR.MAX_RECONNECT_ATTEMPTS_EXCEEDED, toHivekitError(failure));
        else if (failure !== undefined) this.reportError(failure.message, ERROR.CONNECTION_ERROR, toHivekitError(failure));
        this.setStatus('disconnected');
        this.client = undefined;
        this.backend = undefined;
        this.realm.reset();
        const pending = this.pendingConnect;
        this.pendingConnect = undefined;
        pending?.reject(failure === undefined ? hivekitError('disconnected', 499) : toHivekitError(failure));
        client.destroy();
        break;
      }
    }
  }

  private onClientError(client: RealtimeClient, error: RealtimeError): void {
    if (this.client !== client) return;
    this.reportError(error.message, HIVEKIT_CONSTANTS.ERROR.SERVER_ERROR, toHivekitError(error));
  }

  private settleConnect(): void {
    const pending = this.pendingConnect;
    this.pendingConnect = undefined;
    pending?.resolve();
  }

  private setStatus(status: HivekitConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    if (this.options.logMessages) this.logger.log('[hivekit] connectionStatus', status);
    this.emitter.emit('connectionStatusChanged', status);
  }

  private reportError(message: string, type: HivekitErrorType, details?: unknown): void {
    if (this.options.logErrors) this.logger.error('[hivekit]', type, message);
    this.emitter.emit('error', message, type, details);
  }

  private async call<T>(name: string, args: unknown[], run: () => Promise<T> | T): Promise<T> {
    if (this.options.logMessages) this.logger.log('[hivekit] →', name, ...args);
    try {
      const result = await run();
      if (this.options.logMessages) this.logger.log('[hivekit] ←', name, result);
      return result;
    } catch (err) {
      const error: HivekitRequestError = toHivekitError(err);
      if (this.options.logMessages) this.logger.log('[hivekit] ✗', name, error);
      throw error;
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : toRealtimeError(err).message;
}
