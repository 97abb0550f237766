/**
 * Why a connection changed state, as closed sets: the reasons Socket.IO gives on each side, the
 * client's own words, and the auth codes that end a connection. Decisions read the predicates
 * below, never string compares at call sites (socket.io keeps its `DisconnectReason` union and
 * `RECOVERABLE_DISCONNECT_REASONS` set the same way; centrifuge its code enums).
 *
 * The strings are the runtime values users already see in `client.on('connection', ...)` and in
 * `socket.disconnect` webhooks; `test/unit/connection-reasons.test.ts` pins them to Socket.IO's
 * own unions, so an upgrade that adds a reason fails the type check instead of slipping through.
 *
 * @example
 * client.on('connection', ({ state, reason }) => {
 *   if (state === 'reconnecting' && reason === 'io server disconnect') showBanner('Server restarting');
 * });
 */
import type { ErrorCode } from './error-codes.js';

/**
 * Disconnect reasons of the Socket.IO client (socket.io-client's `Socket.DisconnectReason`).
 * `'io server disconnect'` is what a draining node, an expired token or a failed token refresh
 * looks like to the client (the server closes the socket; the cause travels separately, e.g. as
 * `auth:expired`).
 *
 * @example
 * SOCKET_DISCONNECT_REASONS.includes('ping timeout'); // true
 */
export const SOCKET_DISCONNECT_REASONS = [
  'io server disconnect',
  'io client disconnect',
  'ping timeout',
  'transport close',
  'transport error',
  'parse error',
] as const;

/** @example const reason: SocketDisconnectReason = 'transport close'; */
export type SocketDisconnectReason = (typeof SOCKET_DISCONNECT_REASONS)[number];

/**
 * Disconnect reasons of the Socket.IO server (socket.io's `DisconnectReason`): what the gateway's
 * connection events and the `socket.disconnect` webhook's `reason` carry. The server closes a
 * connection itself (token expired, access not revocable after a refresh, draining) with
 * `'server namespace disconnect'`, and `'server shutting down'` when the Socket.IO server closes.
 *
 * @example
 * if (payload.reason === 'ping timeout') countFlakyNetwork();
 */
export const SERVER_DISCONNECT_REASONS = [
  'transport error',
  'transport close',
  'forced close',
  'ping timeout',
  'parse error',
  'server shutting down',
  'forced server close',
  'client namespace disconnect',
  'server namespace disconnect',
] as const;

/** @example const reason: ServerDisconnectReason = 'server namespace disconnect'; */
export type ServerDisconnectReason = (typeof SERVER_DISCONNECT_REASONS)[number];

/**
 * The client's own reasons for a state change.
 *
 * @example
 * if (reason === ClientConnectionReason.CLIENT_DESTROYED) cleanUp();
 */
export const ClientConnectionReason = {
  /** `connect()` started a connection, or the server announced the session (`connected`). */
  CONNECT: 'connect',
  /** The user called `disconnect()`. */
  CLIENT_DISCONNECT: 'client disconnect',
  /** The user called `destroy()`. */
  CLIENT_DESTROYED: 'client destroyed',
  /** `reconnectionAttempts` were used up (the event carries an `UnavailableError`). */
  RECONNECT_FAILED: 'reconnect_failed',
  /**
   * An attempt got no session within `connectTimeout` (the handshake went unanswered, or
   * `session:opened` never came); the client gives up on it and tries again.
   */
  CONNECT_TIMEOUT: 'connect timeout',
  /**
   * Two heartbeats in a row (`heartbeatInterval`) went unanswered: the connection is dead even if
   * the transport has not noticed; the client closes it and reconnects.
   */
  HEARTBEAT_TIMEOUT: 'heartbeat timeout',
} as const;

/** @example const reason: ClientConnectionReason = 'client disconnect'; */
export type ClientConnectionReason = (typeof ClientConnectionReason)[keyof typeof ClientConnectionReason];

/** Every {@link ClientConnectionReason}, for iteration. @example CLIENT_CONNECTION_REASONS.length; // 6 */
export const CLIENT_CONNECTION_REASONS = Object.values(ClientConnectionReason) as readonly ClientConnectionReason[];

/**
 * Error codes given as the reason when an auth failure ends the connection (the event's `error` is
 * the `AuthError`): retrying with the same token cannot help.
 *
 * @example
 * AUTH_FAILURE_REASONS.includes('TOKEN_EXPIRED'); // true
 */
export const AUTH_FAILURE_REASONS = ['AUTH_FAILED', 'TOKEN_EXPIRED', 'TOO_MANY_AUTH_ATTEMPTS'] as const satisfies readonly ErrorCode[];

/** @example const reason: AuthFailureReason = 'TOKEN_EXPIRED'; */
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** Every reason the client names. @example const reason: KnownConnectionReason = 'reconnect_failed'; */
export type KnownConnectionReason = SocketDisconnectReason | ClientConnectionReason | AuthFailureReason;

/**
 * The `reason` of a `connection` event: a {@link KnownConnectionReason}, or, while reconnecting
 * after a failed handshake (and when it ends the connection with `reconnection: false`), that
 * handshake error's message (`'Connection failed: websocket error'`, a server's refusal text).
 * `string & {}` keeps editors offering the known reasons while admitting those messages.
 *
 * @example
 * if (isKnownConnectionReason(reason)) metrics.count(reason);
 */
export type ConnectionReason = KnownConnectionReason | (string & {});

const SOCKET_REASONS: ReadonlySet<string> = new Set(SOCKET_DISCONNECT_REASONS);
const KNOWN_REASONS: ReadonlySet<string> = new Set<string>([...SOCKET_DISCONNECT_REASONS, ...CLIENT_CONNECTION_REASONS, ...AUTH_FAILURE_REASONS]);
const AUTH_REASONS: ReadonlySet<string> = new Set(AUTH_FAILURE_REASONS);

/**
 * Socket.IO client disconnect reasons after which the client reconnects: all but the user's own
 * `disconnect()` (`'io client disconnect'`). Unlike plain Socket.IO, a server-side disconnect (a
 * node shutting down, a deploy) is recovered.
 *
 * @example
 * RECOVERABLE_DISCONNECT_REASONS.has('io server disconnect'); // true
 */
export const RECOVERABLE_DISCONNECT_REASONS: ReadonlySet<SocketDisconnectReason> = new Set(
  SOCKET_DISCONNECT_REASONS.filter((reason) => reason !== 'io client disconnect'),
);

/**
 * Whether a lost connection should be re-established automatically: a reason in
 * {@link RECOVERABLE_DISCONNECT_REASONS}, or one Socket.IO does not define (a newer version's).
 * Auth failures are decided before this is asked.
 *
 * @example
 * if (isRecoverableDisconnect(reason)) scheduleReconnect();
 */
export function isRecoverableDisconnect(reason: string): boolean {
  return !SOCKET_REASONS.has(reason) || RECOVERABLE_DISCONNECT_REASONS.has(reason as SocketDisconnectReason);
}

/**
 * Whether `reason` is one of the {@link KnownConnectionReason}s rather than a handshake error's message.
 *
 * @example
 * isKnownConnectionReason('transport close'); // true
 */
export function isKnownConnectionReason(reason: string): reason is KnownConnectionReason {
  return KNOWN_REASONS.has(reason);
}

/**
 * Whether `reason` says an auth failure ended the connection (see {@link AUTH_FAILURE_REASONS}).
 *
 * @example
 * if (state === 'disconnected' && isAuthFailureReason(reason)) await client.setToken(await fetchToken());
 */
export function isAuthFailureReason(reason: string | undefined): reason is AuthFailureReason {
  return reason !== undefined && AUTH_REASONS.has(reason);
}
