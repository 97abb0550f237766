import type { RealtimeError } from '../shared/index.js';

/** The connection states users know from the reference SDK. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'reconnecting';

/**
 * Payload of the `'connection'` event.
 *
 * @example
 * client.on('connection', ({ state, reason }) => console.log(state, reason));
 */
export interface ConnectionChange {
  state: ConnectionState;
  previousState: ConnectionState;
  /** Why the state changed: `'connect'`, `'client disconnect'`, `'transport close'`, `'TOKEN_EXPIRED'`, ... */
  reason?: string;
  /**
   * The error that ended the connection, when one did (auth failure, attempts exhausted); while
   * `reconnecting`, the server's refusal that made the client wait (`RATE_LIMITED`), if any.
   */
  error?: RealtimeError;
  /** Reconnection attempt number while `reconnecting`. */
  attempt?: number;
}

/** Disconnect reasons that come from the user's own `disconnect()`; never reconnected. */
const CLIENT_INITIATED = new Set(['io client disconnect']);

/**
 * Whether a lost connection should be re-established automatically. Everything is recoverable
 * except the client's own `disconnect()`; auth failures are decided before this is asked.
 * Unlike plain Socket.IO, a server-side disconnect (a node shutting down, a deploy) is recovered.
 *
 * @example
 * if (isRecoverableDisconnect(reason)) scheduleReconnect();
 */
export function isRecoverableDisconnect(reason: string): boolean {
  return !CLIENT_INITIATED.has(reason);
}
