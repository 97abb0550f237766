import type { Logger } from 'pino';
import { HEARTBEAT_INTERVAL_BOUNDS, HEARTBEAT_SILENCE_FACTOR, InvalidArgumentError, toRealtimeError } from '../../shared/index.js';
import type { RealtimeSocket } from '../socket-types.js';

/**
 * The heartbeat interval a handshake declared (`auth: { heartbeatInterval }`, ms), or `undefined`
 * when it declared none.
 *
 * @throws InvalidArgumentError when it is not a whole number within {@link HEARTBEAT_INTERVAL_BOUNDS}.
 * @example
 * const interval = declaredHeartbeatInterval(socket); // 5000
 */
export function declaredHeartbeatInterval(socket: RealtimeSocket): number | undefined {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  const value = auth?.heartbeatInterval;
  if (value === undefined) return undefined;
  const { min, max } = HEARTBEAT_INTERVAL_BOUNDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`heartbeatInterval must be a whole number of ms from ${min} to ${max}`, {
      details: { issues: [{ path: 'heartbeatInterval', message: `must be a whole number from ${min} to ${max}` }] },
    });
  }
  return value;
}

/**
 * The handshake middleware that refuses a malformed `heartbeatInterval` (`connect_error` with the
 * typed error in `data`), so that the watchdog only ever sees a valid one.
 *
 * @example
 * io.use(checkHeartbeatDeclaration());
 */
export function checkHeartbeatDeclaration() {
  return (socket: RealtimeSocket, next: (err?: Error) => void): void => {
    try {
      declaredHeartbeatInterval(socket);
      next();
    } catch (err) {
      const error = toRealtimeError(err);
      next(Object.assign(new Error(error.message), { data: error.toJSON() }));
    }
  };
}

/**
 * Closes a connection that promised heartbeats and went silent.
 *
 * Why this exists: a half-open TCP connection (a phone that lost its network, a NAT that forgot
 * the mapping) can look alive to the server for minutes; Socket.IO's own ping only notices after
 * `pingInterval + pingTimeout` (45 s by default). A client that declares `heartbeatInterval` in the
 * handshake sends a `sys:ping` at least that often, so a connection from which nothing at all
 * (no heartbeat, no request) arrived for {@link HEARTBEAT_SILENCE_FACTOR} intervals is gone, and
 * closing it frees its subscriptions, presence and data-provider status. Connections that declare
 * nothing are left to Socket.IO's ping.
 *
 * @example
 * watchHeartbeats(socket, logger);
 */
export function watchHeartbeats(socket: RealtimeSocket, logger: Logger): void {
  const interval = declaredHeartbeatInterval(socket);
  if (interval === undefined) return;
  const silenceMs = Math.round(interval * HEARTBEAT_SILENCE_FACTOR);
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      logger.debug({ socketId: socket.id, silenceMs }, 'no heartbeat; disconnecting');
      socket.disconnect(true);
    }, silenceMs);
  };
  arm();
  socket.onAny(arm);
  socket.on('disconnect', () => clearTimeout(timer));
}
