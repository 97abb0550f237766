import type { Ack, AckResult } from './ack.js';
import type { BatchRequest, LoginRequest, PingRequest } from './schemas/session-schemas.js';

/**
 * The limits a server enforces on requests, announced to each connection at connect
 * (`session:opened`) so that a client can refuse an oversized or too-deep request itself, with a
 * typed error and its connection intact, instead of sending it.
 *
 * Why the client needs `maxFrameBytes`: a Socket.IO message above the transport limit
 * (`maxHttpBufferSize`) is not answered, the server closes the connection. Everything below it
 * gets a typed answer from the server, which stays the last guard.
 */
export interface SessionLimits {
  /** Largest event payload, channel message or direct message (`payload` / `data`), JSON bytes. */
  maxPayloadBytes: number;
  /** Largest presence state (`state`), JSON bytes. */
  maxPresenceStateBytes: number;
  /** Deepest nesting of objects and arrays in one request (the request object is level 1). */
  maxPayloadDepth: number;
  /** Largest Socket.IO message the server reads (the whole encoded request), bytes. */
  maxFrameBytes: number;
  /** Most requests in one `batch`. */
  maxBatchEntries: number;
  /** Largest `batch` (the JSON of its entries), bytes. */
  maxBatchBytes: number;
}

/**
 * Which server a connection talks to: its version (the `version` of the server's package.json)
 * and its build date (an ISO 8601 time: when the server process started, see `SERVER_INFO`).
 */
export interface ServerInfo {
  serverVersion: string;
  serverBuildDate: string;
}

/** Who a connection is logged in as: the token's user, its realms, and when the token expires. */
export interface SessionUser {
  userId: string;
  realms: string[];
  /** Unix milliseconds. */
  expiresAt: number;
}

/**
 * The result of `auth:login`: the user the connection now acts as, and the server. A login with
 * `{ params }` carries the auth hook's `clientData` when it sent one; its `expiresAt` is
 * 8.64e15 (no expiry: there is no token).
 */
export interface LoginResult extends SessionUser, ServerInfo {
  clientData?: Record<string, unknown>;
}

/**
 * What the server tells a connection as soon as it is open. `user` is there when the handshake
 * carried a token; without it the connection is quarantined: its only allowed request is
 * `auth:login`, within `loginTimeoutMs`.
 */
export interface SessionOpened extends ServerInfo {
  limits: SessionLimits;
  user?: SessionUser;
}

/** The result of `sys:ping`: the server's clock when it answered (Unix milliseconds). */
export interface PingResult {
  time: number;
}

/** The result of `batch`: one answer per entry, in order; `null` for an entry sent with `ack: false`. */
export interface BatchResult {
  results: (AckResult<unknown> | null)[];
}

/**
 * Requests about the connection itself, served by the gateway rather than a feature:
 * - `auth:login` logs a quarantined connection in (`{ token }` or `{ params }` → {@link LoginResult});
 * - `sys:ping` is the heartbeat (see `heartbeatInterval` in the handshake `auth`);
 * - `batch` carries several requests in one frame, each served as if sent alone.
 */
export interface SessionClientEvents {
  'auth:login': (request: LoginRequest, ack: Ack<LoginResult>) => void;
  'sys:ping': (request: PingRequest, ack: Ack<PingResult>) => void;
  batch: (request: BatchRequest, ack: Ack<BatchResult>) => void;
}

/** The names of {@link SessionClientEvents}, for recognising known events at runtime. */
export const SESSION_CLIENT_EVENTS = ['auth:login', 'sys:ping', 'batch'] as const satisfies ReadonlyArray<keyof SessionClientEvents>;

/**
 * What a client may put in the Socket.IO handshake `auth` besides `token`: the heartbeat interval
 * it promises (ms). The server then closes the connection when it hears nothing from it for
 * {@link HEARTBEAT_SILENCE_FACTOR} times that long.
 *
 * @example
 * io(url, { auth: { token, heartbeatInterval: 5000 } });
 */
export interface HandshakeAuth {
  token?: string;
  heartbeatInterval?: number;
}

/** The shortest and longest heartbeat interval a handshake may declare, ms. */
export const HEARTBEAT_INTERVAL_BOUNDS = Object.freeze({ min: 100, max: 3_600_000 });

/** How many declared heartbeat intervals of silence the server waits before closing a connection. */
export const HEARTBEAT_SILENCE_FACTOR = 2.5;

/** Session events the server sends. */
export interface SessionServerEvents {
  /**
   * Sent once per connection, right after Socket.IO's own connect, before anything else; the
   * client counts as connected when it arrives.
   */
  'session:opened': (session: SessionOpened) => void;
}
