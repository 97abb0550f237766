import type { RealtimeIo } from '../socket-types.js';
import { BATCH_QUERY_PARAMETER, BatchedWebSocket } from './batched-websocket.js';
import { useTransportFactory } from './engine-transports.js';
import { FrameFlusher } from './frame-flusher.js';
import { LoadWindow } from './load-window.js';

/** Server option `batching`: how events bound for one connection share websocket frames. */
export interface BatchingOptions {
  /**
   * How long an event waits for others bound for the same connection, ms: `0` writes at once while
   * the server has time to spare (what comes while a frame is being written follows in one).
   * At most {@link MAX_BATCH_WINDOW_MS}.
   * @default 0
   */
  windowMs?: number;
  /**
   * With `windowMs: 0`, the longest frames wait for more while the server is busy, ms: nothing
   * while its event loop is at most 70% busy, growing to this at 95% (README "Batched frames").
   * `0` never waits. At most {@link MAX_BATCH_WINDOW_MS}.
   * @default 20
   */
  busyWindowMs?: number;
}

/** The default {@link BatchingOptions.busyWindowMs}. */
export const DEFAULT_BUSY_WINDOW_MS = 20;

/** The longest batching window the server accepts, ms (a wait longer than this is latency, not batching). */
export const MAX_BATCH_WINDOW_MS = 1000;

/**
 * Makes the server send batched frames to every websocket client that asks for them
 * (`batch=1` in its engine.io query, which `RealtimeClient` sends by default); other clients
 * (plain socket.io-client, polling) get one packet per frame as before. `false` turns it off.
 * `maxFrameBytes` bounds one frame (the server's `maxHttpBufferSize`, which the platform's own
 * clients accept).
 *
 * Why an install function: the choice is made per connection where engine.io builds its
 * transport (see `useTransportFactory`), so nothing above engine.io changes.
 *
 * @example
 * installBatchedFrames(io, { windowMs: 0 }, maxFrameBytes(limits));
 */
export function installBatchedFrames(io: RealtimeIo, options: BatchingOptions | false | undefined, maxFrameBytes: number): void {
  if (options === false) return;
  const windowMs = options?.windowMs ?? 0;
  const busyWindowMs = options?.busyWindowMs ?? DEFAULT_BUSY_WINDOW_MS;
  for (const [name, value] of [
    ['windowMs', windowMs],
    ['busyWindowMs', busyWindowMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > MAX_BATCH_WINDOW_MS) {
      throw new Error(`batching.${name} must be a whole number of ms from 0 to ${MAX_BATCH_WINDOW_MS}, got ${String(value)}`);
    }
  }
  const batching = { windowMs, maxFrameBytes, flusher: new FrameFlusher(new LoadWindow(busyWindowMs)) };
  useTransportFactory(io, (name, req, fallback) =>
    name === 'websocket' && req._query[BATCH_QUERY_PARAMETER] === '1' && req._query.EIO === '4' ? new BatchedWebSocket(req, batching) : fallback(),
  );
}
