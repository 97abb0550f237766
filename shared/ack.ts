import type { ErrorShape } from './error-codes.js';

/**
 * Every acknowledgement carries either the result or a typed error.
 *
 * @example
 * socket.emit('unsubscribe', { subscriptionId: 'sub_1' }, (res) => { if (!res.ok) throw res.error; });
 */
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: ErrorShape };

/** The acknowledgement callback of a request. */
export type Ack<T> = (result: AckResult<T>) => void;
