import { DEFAULT_MAX_PAYLOAD_DEPTH, type SessionLimits } from '../../shared/index.js';
import { DEFAULT_LIMITS, type ResolvedLimits } from '../config.js';

/** The smallest transport limit, bytes: room for a maximal request of every kind. */
const MIN_FRAME_BYTES = 1_000_000;

/**
 * The largest Socket.IO message the server reads (`maxHttpBufferSize`), bytes. A message above it
 * closes the connection (a Socket.IO rule), so it sits well above the payload limit that requests
 * are checked against with a typed error; clients learn it at connect and never send more.
 *
 * @example
 * new Server(httpServer, { maxHttpBufferSize: maxFrameBytes(limits) });
 */
export function maxFrameBytes(limits: Pick<ResolvedLimits, 'maxPayloadBytes'>): number {
  return Math.max(MIN_FRAME_BYTES, limits.maxPayloadBytes * 4);
}

/**
 * The limits a connection is told about at connect (`session:opened`).
 *
 * @example
 * socket.emit('session:opened', { limits: sessionLimits(limits) });
 */
export function sessionLimits(limits: ResolvedLimits): SessionLimits {
  return {
    maxPayloadBytes: limits.maxPayloadBytes,
    maxPresenceStateBytes: limits.maxPresenceStateBytes,
    maxPayloadDepth: payloadDepthLimit(limits),
    maxFrameBytes: maxFrameBytes(limits),
    maxBatchEntries: limits.maxBatchEntries ?? DEFAULT_LIMITS.maxBatchEntries,
    maxBatchBytes: batchBytesLimit(limits),
  };
}

/**
 * `limits.maxBatchBytes` (its default when left out), never above the frame limit: a batch is one
 * frame.
 *
 * @example
 * if (bytes > batchBytesLimit(limits)) throw new PayloadTooLargeError('batch too large');
 */
export function batchBytesLimit(limits: Pick<ResolvedLimits, 'maxBatchBytes' | 'maxPayloadBytes'>): number {
  return Math.min(limits.maxBatchBytes ?? DEFAULT_LIMITS.maxBatchBytes, maxFrameBytes(limits));
}

/**
 * `limits.maxPayloadDepth`, or its default when a caller's limits object left it out.
 *
 * @example
 * assertJsonShape(body, payloadDepthLimit(limits), 'request body');
 */
export function payloadDepthLimit(limits: Pick<ResolvedLimits, 'maxPayloadDepth'>): number {
  return limits.maxPayloadDepth ?? DEFAULT_MAX_PAYLOAD_DEPTH;
}
