import type { Logger } from 'pino';
import { AuthError, ErrorCode, toRealtimeError } from '../../shared/index.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { PresenceService } from '../presence/presence-service.js';
import { revokeUnpermitted } from './access-revocation.js';
import type { RequestTable } from '../kernel/request-table.js';
import { sessionRequestListener } from '../kernel/socket-requests.js';
import type { TokenExpirySchedule } from './token-expiry-schedule.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';
import type { SubscriptionIndex } from '../events/subscription-index.js';

/**
 * Verifies the token on the Socket.IO handshake (`auth: { token }`, or an `Authorization: Bearer`
 * header for non-browser clients). A refused handshake carries the typed error in `err.data`. A
 * handshake with no token at all is let through without a principal: that connection is
 * quarantined until its `auth:login` (see `login-gate.ts`).
 *
 * @example
 * io.use(authenticateHandshake(verifier));
 */
export function authenticateHandshake(verifier: TokenVerifier) {
  return async (socket: RealtimeSocket, next: (err?: Error) => void): Promise<void> => {
    try {
      const token = handshakeToken(socket);
      if (token === undefined) {
        next();
        return;
      }
      socket.data.principal = await verifier.verify(token);
      next();
    } catch (err) {
      const error = toRealtimeError(err);
      const refusal = new Error(error.message) as Error & { data: unknown };
      refusal.data = error.toJSON();
      next(refusal);
    }
  };
}

/**
 * Whether the connection has a principal: it sent a token in its handshake, or logged in since.
 *
 * @example
 * if (!isLoggedIn(socket)) quarantine(socket, options);
 */
export function isLoggedIn(socket: RealtimeSocket): boolean {
  return (socket.data as Partial<RealtimeSocket['data']>).principal !== undefined;
}

function handshakeToken(socket: RealtimeSocket): unknown {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  if (auth !== undefined && auth.token !== undefined) return auth.token;
  const header = socket.handshake.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return undefined;
}

/** What the session handlers need from the gateway. */
export interface SessionHandlerContext {
  io: RealtimeIo;
  logger: Logger;
  verifier: TokenVerifier;
  subscriptions: SubscriptionIndex;
  presence: PresenceService;
  /** Every connection's token expiry (see {@link expireSession}). */
  expiries: TokenExpirySchedule;
}

/**
 * Serves, for every connection of a server, the requests that keep its session going: a client
 * swaps in a fresh token (`auth:refresh`) and answers its heartbeats (`sys:ping`). Each
 * connection's expiry is in `context.expiries`, which the gateway fills as sessions open and
 * empties as they close.
 *
 * Why this exists: a JWT is checked once at the handshake, but a connection can outlive it. When
 * `exp` passes, the server tells the client `TOKEN_EXPIRED` (`auth:expired`) and disconnects it
 * ({@link expireSession}), unless the client sent a fresh token (`auth:refresh`) first; the fresh
 * token must be for the same user, and everything it no longer permits (subscriptions, document
 * watches, channels, open documents, data providers) is revoked before the refresh is
 * acknowledged (see revokeUnpermitted).
 *
 * @example
 * serveSessionRequests(table, context);
 */
export function serveSessionRequests(table: RequestTable, context: SessionHandlerContext): void {
  const { logger, verifier, subscriptions, presence, expiries } = context;
  table.add(
    'auth:refresh',
    sessionRequestListener(logger, 'auth:refresh', async ({ token }, socket) => {
      const principal = await verifier.verify(token);
      const current = socket.data.principal;
      if (principal.userId !== current.userId) {
        throw new AuthError(ErrorCode.AUTH_FAILED, 'A refreshed token must be for the same user (sub)');
      }
      socket.data.principal = principal;
      // A connection that closed meanwhile has left the schedule and stays out of it.
      if (socket.connected) expiries.set(socket, principal.expiresAt);
      try {
        await revokeUnpermitted(socket, current, { subscriptions, presence });
      } catch (err) {
        // The connection must not keep what the new token no longer allows: closing it removes all.
        logger.error({ err, socketId: socket.id, userId: principal.userId }, 'could not revoke access after a token refresh; disconnecting');
        socket.disconnect(true);
        throw err;
      }
      return { expiresAt: principal.expiresAt };
    }),
  );
  // The heartbeat (see heartbeat-watchdog.ts): answering it is all it takes.
  table.add(
    'sys:ping',
    sessionRequestListener(logger, 'sys:ping', () => ({ time: Date.now() })),
  );
}

/**
 * What happens to a connection whose token expired: `auth:expired` (`TOKEN_EXPIRED`), then the
 * server disconnects it. The gateway's {@link TokenExpirySchedule} calls it.
 *
 * @example
 * const expiries = new TokenExpirySchedule((socket) => expireSession(socket, logger));
 */
export function expireSession(socket: RealtimeSocket, logger: Logger): void {
  logger.debug({ socketId: socket.id, userId: socket.data.principal.userId }, 'token expired; disconnecting');
  socket.emit('auth:expired', new AuthError(ErrorCode.TOKEN_EXPIRED, 'Token has expired').toJSON());
  socket.disconnect(true);
}
