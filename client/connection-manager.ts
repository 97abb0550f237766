import createDebug from 'debug';
import { io, type Socket } from 'socket.io-client';
import {
  AuthError,
  ClientConnectionReason,
  InternalError,
  RealtimeError,
  ErrorCode,
  LimitExceededError,
  UnavailableError,
  errorFromShape,
  isAuthError,
  isRecoverableDisconnect,
  type ClientToServerEvents,
  type ConnectionReason,
  type ServerToClientEvents,
  type AckResult,
  type LoginRequest,
  type LoginResult,
  type ServerInfo,
  type SessionLimits,
  type SessionOpened,
  type SessionUser,
  type SocketDisconnectReason,
} from '../shared/index.js';
import { backoffDelay } from './backoff.js';
import { batchingTransports } from './batched-websocket-transport.js';
import type { ConnectionChange, ConnectionState } from './connection-state.js';
import { Emitter } from './emitter.js';
import { DEFAULT_SESSION_LIMITS, announcedLimits } from './request-limits.js';

/** The typed Socket.IO client socket. */
export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the connection manager needs; see `RealtimeClientOptions` for the defaults. */
export interface ConnectionManagerOptions {
  url: string;
  path: string;
  /** The token for the next handshake; `undefined` opens the connection quarantined, to log in on it. */
  getToken: () => string | undefined;
  /** Auth-hook params to log in with on a quarantined connection when there is no token (`login({ params })`). */
  getLoginParams?: () => Record<string, unknown> | undefined;
  /** The heartbeat interval declared in the handshake (ms), so that the server closes a silent connection; 0 declares none. */
  heartbeatInterval: number;
  /** How long a login waits for its answer, ms. */
  requestTimeout: number;
  reconnection: boolean;
  reconnectionAttempts: number;
  reconnectionDelay: number;
  reconnectionDelayMax: number;
  randomizationFactor: number;
  connectTimeout: number;
  transports: ('websocket' | 'polling' | 'webtransport')[];
  /** Ask the server for batched frames over websocket and unpack them. */
  batchedFrames: boolean;
  log: (message: string, context?: Record<string, unknown>) => void;
}

/** Events of the connection manager. */
export interface ConnectionManagerEvents {
  /** Every state change. */
  change: ConnectionChange;
  /** A connection was (re-)established: resubscribe and flush queues. */
  open: { socket: RealtimeSocket };
  /** An error no promise can carry. */
  error: RealtimeError;
}

const debug = createDebug('realtime:connection');

/** The server's version and build date from a `session:opened`, if it sent them. */
function serverInfoOf(session: SessionOpened): ServerInfo | undefined {
  const { serverVersion, serverBuildDate } = (session ?? {}) as Partial<ServerInfo>;
  return typeof serverVersion === 'string' && typeof serverBuildDate === 'string' ? { serverVersion, serverBuildDate } : undefined;
}

/** The user a `session:opened` names (none: the connection is quarantined until a login). */
function sessionUserOf(session: SessionOpened): SessionUser | undefined {
  const user = session?.user;
  return typeof user === 'object' && user !== null ? user : undefined;
}

/**
 * Owns the Socket.IO connection and its state machine: `connecting` → (`awaiting-login` →)
 * `connected` → (`reconnecting` → `connected`)* → `disconnected`. `awaiting-login` is a connection
 * opened without a token, quarantined by the server until {@link ConnectionManager.login}.
 *
 * Why this exists: Socket.IO's own reconnection gives up on a server-side disconnect (which is
 * what a deploy or a node shutting down looks like) and does not know that an auth failure makes
 * retrying pointless. So Socket.IO's reconnection is off and this class runs one single-flight
 * loop: a pure backoff with jitter, at most one timer, stopped by auth errors and by the user. The
 * token is read at every handshake, so a `setToken()` applies to the next attempt.
 *
 * @example
 * const manager = new ConnectionManager(options);
 * manager.events.on('open', () => resubscribe());
 * manager.connect();
 */
export class ConnectionManager {
  readonly events: Emitter<ConnectionManagerEvents>;
  readonly socket: RealtimeSocket;
  private currentState: ConnectionState = 'disconnected';
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bounds one attempt, handshake and `session:opened` included (Socket.IO's own bounds the transport only). */
  private attemptTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set when the server said the token expired, so the coming disconnect is not retried. */
  private authFailure: RealtimeError | undefined;
  private server: ServerInfo | undefined;
  private sessionUser: SessionUser | undefined;
  /** Counts connections, so that a login answered on an older one is ignored. */
  private connectionGeneration = 0;
  /** The error behind the last move to `disconnected`, if any. */
  private terminalError: RealtimeError | undefined;
  private destroyed = false;
  private sessionLimits: SessionLimits = DEFAULT_SESSION_LIMITS;

  constructor(private readonly options: ConnectionManagerOptions) {
    this.events = new Emitter<ConnectionManagerEvents>((err) => debug('listener threw %o', err));
    this.socket = io(options.url, {
      path: options.path,
      autoConnect: false,
      reconnection: false,
      forceNew: true,
      // Batched frames: the websocket transport asks for them and unpacks them (README "Batched frames").
      transports: options.batchedFrames ? batchingTransports(options.transports) : options.transports,
      // Without it Socket.IO only ever tries the first transport: `['websocket', 'polling']` would
      // never fall back to polling where WebSockets are blocked.
      tryAllTransports: true,
      timeout: options.connectTimeout,
      auth: (callback) => {
        const token = options.getToken();
        callback({
          ...(token === undefined ? {} : { token }),
          ...(options.heartbeatInterval > 0 ? { heartbeatInterval: options.heartbeatInterval } : {}),
        });
      },
    });
    // Connected once the server announced the session (right after Socket.IO's own connect), so
    // that nothing is sent before the client knows the server's limits.
    this.socket.on('session:opened', this.onConnect);
    this.socket.on('connect_error', this.onConnectError);
    this.socket.on('disconnect', this.onDisconnect);
    // The server is about to close the connection for an auth reason: the token expired, no login
    // came in time, or too many logins failed. The coming disconnect is then not retried.
    this.socket.on('auth:expired', (shape) => {
      const error = errorFromShape(shape);
      this.authFailure = isAuthError(error) ? error : new AuthError(ErrorCode.TOKEN_EXPIRED, shape.message);
    });
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The error that ended the connection for good (auth failure, attempts exhausted), if any. */
  get lastError(): RealtimeError | undefined {
    return this.terminalError;
  }

  /**
   * The limits the server announced at connect (`session:opened`); the platform's defaults until a
   * first connection.
   */
  get limits(): SessionLimits {
    return this.sessionLimits;
  }

  /** The server's version and build date, from the last `session:opened` (undefined before one). */
  get serverInfo(): ServerInfo | undefined {
    return this.server;
  }

  /** Who the connection acts as: from the handshake's token or the last login (undefined before either). */
  get user(): SessionUser | undefined {
    return this.sessionUser;
  }

  /**
   * Logs the quarantined connection in (`auth:login`); only in state `'awaiting-login'`. Resolves
   * once the server set the connection up, with the state `'connected'` (resubscriptions and
   * queued requests follow); rejects with the server's typed error, the connection staying
   * quarantined (unless the server closed it: `TOO_MANY_AUTH_ATTEMPTS`).
   */
  login(request: LoginRequest): Promise<LoginResult> {
    if (this.currentState !== 'awaiting-login') {
      return Promise.reject(new UnavailableError(`Cannot log in while ${this.currentState}`));
    }
    const generation = this.connectionGeneration;
    return new Promise<LoginResult>((resolve, reject) => {
      const emitter = this.socket.timeout(this.options.requestTimeout) as unknown as {
        emit(event: 'auth:login', request: LoginRequest, ack: (err: Error | null, result: AckResult<LoginResult>) => void): void;
      };
      emitter.emit('auth:login', request, (err, result) => {
        if (err !== null && err !== undefined) {
          const code = err.message.includes('timed out') ? ErrorCode.TIMEOUT : ErrorCode.UNAVAILABLE;
          reject(this.authFailure ?? new UnavailableError(`No answer to auth:login: ${err.message}`, { code }));
          return;
        }
        if (!result.ok) {
          reject(errorFromShape(result.error));
          return;
        }
        if (this.destroyed || generation !== this.connectionGeneration || this.currentState !== 'awaiting-login') {
          reject(new UnavailableError('The connection changed during the login'));
          return;
        }
        const { userId, realms, expiresAt } = result.data;
        this.open({ userId, realms, expiresAt });
        resolve(result.data);
      });
    });
  }

  /**
   * Closes the connection and reconnects through the usual backoff, as after a lost transport:
   * for a connection that is dead although the transport has not noticed (missed heartbeats).
   */
  reconnect(reason: ConnectionReason): void {
    if (this.destroyed || this.currentState === 'disconnected') return;
    this.clearAttemptTimer();
    // 'io client disconnect' is not retried by onDisconnect, so this is the one retry.
    this.socket.disconnect();
    this.scheduleReconnect(reason, new UnavailableError(`Connection closed: ${reason}`));
  }

  /** Opens the connection (no-op while connecting or connected). */
  connect(): void {
    if (this.destroyed) throw new UnavailableError('The client has been destroyed');
    if (this.currentState !== 'disconnected') return;
    this.attempt = 0;
    this.authFailure = undefined;
    this.terminalError = undefined;
    this.setState('connecting', ClientConnectionReason.CONNECT);
    this.openSocket();
  }

  /** Closes the connection and stops reconnecting. */
  disconnect(reason: ConnectionReason = ClientConnectionReason.CLIENT_DISCONNECT): void {
    this.clearReconnectTimer();
    this.clearAttemptTimer();
    this.terminalError = undefined;
    if (this.socket.connected || this.socket.active) this.socket.disconnect();
    if (this.currentState !== 'disconnected') this.setState('disconnected', reason);
  }

  /** Disconnects and releases every listener and timer. */
  destroy(): void {
    if (this.destroyed) return;
    this.disconnect(ClientConnectionReason.CLIENT_DESTROYED);
    this.destroyed = true;
    this.socket.removeAllListeners();
    this.events.clear();
  }

  private readonly onConnect = (session: SessionOpened): void => {
    if (this.destroyed) return;
    this.sessionLimits = announcedLimits(session);
    // announced once per connection; a repeat changes only the limits
    if (this.currentState === 'connected' || this.currentState === 'awaiting-login') return;
    this.connectionGeneration += 1;
    this.clearReconnectTimer();
    this.clearAttemptTimer();
    this.authFailure = undefined;
    this.server = serverInfoOf(session);
    const user = sessionUserOf(session);
    if (user !== undefined) {
      this.open(user);
      return;
    }
    this.setState('awaiting-login', ClientConnectionReason.CONNECT);
    // A token given since this handshake went out (login() while connecting), or the params of
    // an earlier login({ params }) on this reconnection: log in with them.
    const token = this.options.getToken();
    const params = token === undefined ? this.options.getLoginParams?.() : undefined;
    const request: LoginRequest | undefined = token !== undefined ? { token } : params !== undefined ? { params } : undefined;
    if (request !== undefined) {
      this.login(request).catch((err: unknown) => {
        const error = err instanceof RealtimeError ? err : new InternalError('Login failed', { cause: err });
        if (isAuthError(error)) this.fail(error, error.code);
      });
    }
  };

  /** The connection has a user: connected, and every stream and queued request follows. */
  private open(user: SessionUser): void {
    this.sessionUser = user;
    this.attempt = 0;
    this.setState('connected', ClientConnectionReason.CONNECT);
    this.events.emit('open', { socket: this.socket });
  }

  private readonly onConnectError = (err: Error & { data?: unknown }): void => {
    if (this.destroyed || this.currentState === 'disconnected') return;
    this.clearAttemptTimer();
    const error = err.data === undefined ? new UnavailableError(`Connection failed: ${err.message}`, { cause: err }) : errorFromShape(err.data);
    this.options.log('connect error', { code: error.code, message: error.message });
    if (isAuthError(error)) {
      this.fail(error, error.code);
      return;
    }
    this.scheduleReconnect(error.message, error);
  };

  private readonly onDisconnect = (reason: SocketDisconnectReason): void => {
    if (this.destroyed) return;
    this.clearAttemptTimer();
    this.options.log('disconnected', { reason });
    if (this.authFailure !== undefined) {
      this.fail(this.authFailure, this.authFailure.code);
      return;
    }
    if (!isRecoverableDisconnect(reason) || this.currentState === 'disconnected') return;
    this.scheduleReconnect(reason);
  };

  /**
   * Schedules the next attempt. A `RATE_LIMITED` refusal (too many connections for this user) is
   * not a failed attempt: the server is there and said when to come back, so the next attempt
   * waits at least its `retryAfterMs` and the attempts left are not used up.
   */
  private scheduleReconnect(reason: ConnectionReason, cause?: RealtimeError): void {
    if (this.reconnectTimer !== undefined) return;
    const { reconnection, reconnectionAttempts } = this.options;
    const refusal = cause instanceof LimitExceededError && cause.code === ErrorCode.RATE_LIMITED ? cause : undefined;
    if (!reconnection || (refusal === undefined && this.attempt >= reconnectionAttempts)) {
      const error = new UnavailableError(
        reconnection ? `Could not reconnect after ${this.attempt} attempts` : `Connection lost: ${reason}`,
        cause === undefined ? {} : { cause },
      );
      this.fail(error, reconnection ? ClientConnectionReason.RECONNECT_FAILED : reason);
      return;
    }
    if (refusal === undefined) this.attempt += 1;
    const attempt = Math.max(1, this.attempt);
    const minDelay = refusal?.retryAfterMs;
    const delay = backoffDelay(attempt, {
      baseDelay: this.options.reconnectionDelay,
      maxDelay: this.options.reconnectionDelayMax,
      randomizationFactor: this.options.randomizationFactor,
      ...(minDelay === undefined ? {} : { minDelay }),
    });
    this.setState('reconnecting', reason, attempt, refusal);
    this.options.log('reconnecting', { attempt, delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.destroyed || this.currentState !== 'reconnecting') return;
      this.openSocket();
    }, delay);
  }

  /**
   * Starts one attempt, bounded by `connectTimeout` from here to `session:opened`: a server that
   * accepts the transport but never answers the handshake (a hung auth step) or never announces the
   * session would otherwise leave the client connecting for good.
   */
  private openSocket(): void {
    this.clearAttemptTimer();
    this.attemptTimer = setTimeout(() => {
      this.attemptTimer = undefined;
      if (this.destroyed || this.currentState === 'connected' || this.currentState === 'disconnected') return;
      this.options.log('connect timeout', { timeout: this.options.connectTimeout });
      // Not recoverable for onDisconnect ('io client disconnect'), so this is the one retry.
      this.socket.disconnect();
      const error = new UnavailableError(`No session within ${this.options.connectTimeout} ms`, { code: ErrorCode.TIMEOUT });
      this.scheduleReconnect(ClientConnectionReason.CONNECT_TIMEOUT, error);
    }, this.options.connectTimeout);
    this.socket.connect();
  }

  private fail(error: RealtimeError, reason: ConnectionReason): void {
    this.clearReconnectTimer();
    this.clearAttemptTimer();
    this.terminalError = error;
    if (this.socket.connected || this.socket.active) this.socket.disconnect();
    this.setState('disconnected', reason, undefined, error);
    this.events.emit('error', error);
  }

  private setState(state: ConnectionState, reason?: ConnectionReason, attempt?: number, error?: RealtimeError): void {
    const previousState = this.currentState;
    if (previousState === state && state !== 'reconnecting') return;
    this.currentState = state;
    this.options.log('state', { from: previousState, to: state, reason });
    this.events.emit('change', {
      state,
      previousState,
      ...(reason === undefined ? {} : { reason }),
      ...(error === undefined ? {} : { error }),
      ...(attempt === undefined ? {} : { attempt }),
    });
  }

  private clearAttemptTimer(): void {
    if (this.attemptTimer !== undefined) clearTimeout(this.attemptTimer);
    this.attemptTimer = undefined;
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }
}
