import type { ConnectionReason, RealtimeError } from '../shared/index.js';

/**
 * The connection states users know from the reference SDK, plus `'awaiting-login'`: the socket is
 * open but the client has no token yet, so the server holds the connection quarantined until
 * `client.login({ token })` (Hivekit's `connected`, deepstream's `AWAITING_AUTHENTICATION`).
 * Requests made meanwhile wait, as while connecting.
 */
export type ConnectionState = 'connecting' | 'awaiting-login' | 'connected' | 'disconnected' | 'reconnecting';

/**
 * Payload of the `'connection'` event.
 *
 * @example
 * client.on('connection', ({ state, reason }) => console.log(state, reason));
 */
export interface ConnectionChange {
  state: ConnectionState;
  previousState: ConnectionState;
  /**
   * Why the state changed: `'connect'`, `'client disconnect'`, `'transport close'`, `'TOKEN_EXPIRED'`,
   * ... (see {@link ConnectionReason}).
   */
  reason?: ConnectionReason;
  /**
   * The error that ended the connection, when one did (auth failure, attempts exhausted); while
   * `reconnecting`, the server's refusal that made the client wait (`RATE_LIMITED`), if any.
   */
  error?: RealtimeError;
  /** Reconnection attempt number while `reconnecting`. */
  attempt?: number;
}
