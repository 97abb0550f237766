import createDebug from 'debug';
import { io, type Socket } from 'socket.io-client';
import {
  AuthError,
  ClientConnectionReason,
  ErrorCode,
  LimitExceededError,
  UnavailableError,
  errorFromShape,
  isAuthError,
  isRecoverableDisconnect,
  type ClientToServerEvents,
  type ConnectionReason,
  type RealtimeError,
  type ServerToClientEvents,
  type SessionLimits,
  type SessionOpened,
  type SocketDisconnectReason,
} from '../shared/index.js';
import { backoffDelay } from './backoff.js';
import type { ConnectionChange, ConnectionState } from './connection-state.js';
import { Emitter } from './emitter.js';
import { DEFAULT_SESSION_LIMITS, announcedLimits } from './request-limits.js';

/** The typed Socket.IO client socket. */
export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the connection manager needs; see `RealtimeClientOptions` for the defaults. */
export interface ConnectionManagerOptions {
  url: string;
  path: string;
  getToken: () => string;
  reconnection: boolean;
  reconnectionAttempts: number;
  reconnectionDelay: number;
  reconnectionDelayMax: number;
  randomizationFactor: number;
  connectTimeout: number;
  transports: ('websocket' | 'polling' | 'webtransport')[];
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

/**
 * Owns the Socket.IO connection and its state machine: `connecting` → `connected` →
 * (`reconnecting` → `connected`)* → `disconnected`.
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
  private authFailure: AuthError | undefined;
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
      transports: options.transports,
      // Without it Socket.IO only ever tries the first transport: `['websocket', 'polling']` would
      // never fall back to polling where WebSockets are blocked.
      tryAllTransports: true,
      timeout: options.connectTimeout,
      auth: (callback) => callback({ token: options.getToken() }),
    });
    // Connected once the server announced the session (right after Socket.IO's own connect), so
    // that nothing is sent before the client knows the server's limits.
    this.socket.on('session:opened', this.onConnect);
    this.socket.on('connect_error', this.onConnectError);
    this.socket.on('disconnect', this.onDisconnect);
    this.socket.on('auth:expired', (shape) => {
      this.authFailure = new AuthError(ErrorCode.TOKEN_EXPIRED, shape.message);
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
    if (this.currentState === 'connected') return; // announced once per connection; a repeat changes only the limits
    this.clearReconnectTimer();
    this.clearAttemptTimer();
    this.attempt = 0;
    this.setState('connected', ClientConnectionReason.CONNECT);
    this.events.emit('open', { socket: this.socket });
  };

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
