import type { RealtimeError } from '../../shared/index.js';
import type { RealtimeClient } from '../realtime-client.js';
import type { DeepstreamTopic } from './constants.js';

/**
 * What the dialect's handlers (records, events) need from the `deepstream()` client: the
 * `RealtimeClient` underneath once logged in, the moments it (re)opens, and the one error
 * aggregation.
 *
 * @example
 * host.onOpen(() => record.flush());
 */
export interface DialectHost {
  /** The client underneath, from the first successful `login()` on; `undefined` before. */
  realtime(): RealtimeClient | undefined;
  /** Whether the connection state is `OPEN`. */
  isOpen(): boolean;
  /** Runs `listener` every time the connection state becomes `OPEN`; returns the disposer. */
  onOpen(listener: () => void): () => void;
  /** Reports an error on the client's `'error'` (and on the object it relates to, by the caller). */
  reportError(error: RealtimeError, topic: DeepstreamTopic): void;
}
