import {
  DEFAULT_MAX_PAYLOAD_DEPTH,
  InvalidArgumentError,
  PayloadTooLargeError,
  assertJsonShape,
  type ClientToServerEvents,
  type SessionLimits,
} from '../shared/index.js';

/**
 * The platform's default limits, used until a server announces its own at connect. (Requests only
 * go out once connected, so in practice every request is checked against the server's.)
 *
 * @example
 * const limits = connection.limits ?? DEFAULT_SESSION_LIMITS;
 */
export const DEFAULT_SESSION_LIMITS: SessionLimits = Object.freeze({
  maxPayloadBytes: 64 * 1024,
  maxPresenceStateBytes: 1024,
  maxPayloadDepth: DEFAULT_MAX_PAYLOAD_DEPTH,
  maxFrameBytes: 1_000_000,
  maxBatchEntries: 100,
  maxBatchBytes: 512 * 1024,
});

/** Which field of a request the server measures against which limit (the server's own checks). */
const SIZED_FIELDS: Partial<Record<keyof ClientToServerEvents, { field: string; limit: 'maxPayloadBytes' | 'maxPresenceStateBytes' }>> = {
  'topic:publish': { field: 'payload', limit: 'maxPayloadBytes' },
  'channel:publish': { field: 'data', limit: 'maxPayloadBytes' },
  'direct:send': { field: 'data', limit: 'maxPayloadBytes' },
  'channel:join': { field: 'state', limit: 'maxPresenceStateBytes' },
  'presence:update': { field: 'state', limit: 'maxPresenceStateBytes' },
  'document:open': { field: 'state', limit: 'maxPresenceStateBytes' },
};

/** Socket.IO's framing around the JSON of `[event, payload]` (packet type, ack id), generously. */
const FRAME_OVERHEAD_BYTES = 32;

/**
 * The limits from a `session:opened` announcement; a missing or malformed value keeps its default.
 *
 * @example
 * socket.on('session:opened', (session) => { limits = announcedLimits(session); });
 */
export function announcedLimits(session: unknown): SessionLimits {
  const announced = typeof session === 'object' && session !== null ? (session as { limits?: unknown }).limits : undefined;
  const given = typeof announced === 'object' && announced !== null ? (announced as Record<string, unknown>) : {};
  const limits = { ...DEFAULT_SESSION_LIMITS };
  for (const name of Object.keys(limits) as (keyof SessionLimits)[]) {
    const value = given[name];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) limits[name] = value;
  }
  return limits;
}

/**
 * Checks a request against the server's limits before it is sent, so that it fails with the same
 * typed error the server would give, and the connection stays open:
 * - nesting deeper than `maxPayloadDepth`, a cycle, or a `__proto__` key: `InvalidArgumentError`;
 * - a payload, message or presence state over its byte limit: `PayloadTooLargeError`
 *   (`details: { size, limit }`);
 * - a whole request over `maxFrameBytes` (a sync document, say): `PayloadTooLargeError`, where
 *   sending it would make the server close the connection;
 * - something `JSON.stringify` refuses (a `BigInt`): `InvalidArgumentError`.
 *
 * Returns the request's size as the server will see it (`[event, payload]` as JSON, bytes), which
 * the batcher adds up.
 *
 * @example
 * const bytes = checkRequest('topic:publish', { topic: 'a.b', payload }, connection.limits);
 */
export function checkRequest(event: keyof ClientToServerEvents, payload: unknown, limits: SessionLimits): number {
  assertJsonShape(payload, limits.maxPayloadDepth, `${event} request`);
  const frameBytes = jsonByteLength([event, payload], event) + FRAME_OVERHEAD_BYTES;
  const sized = SIZED_FIELDS[event];
  // The field is part of the frame, so it can only be over its limit when the frame is: the usual
  // small request is serialised once here (and once more by Socket.IO), not three times.
  if (sized !== undefined && frameBytes > limits[sized.limit] && typeof payload === 'object' && payload !== null) {
    const value = (payload as Record<string, unknown>)[sized.field];
    assertWithin(jsonByteLength(value, event), limits[sized.limit], sized.field);
  }
  assertWithin(frameBytes, limits.maxFrameBytes, `${event} request`);
  return frameBytes;
}

function assertWithin(size: number, limit: number, what: string): void {
  if (size <= limit) return;
  throw new PayloadTooLargeError(`${what} is ${size} bytes; the limit is ${limit}`, { details: { size, limit } });
}

/** UTF-8 length of a value's JSON, as the server measures it, without allocating the bytes. */
function jsonByteLength(value: unknown, event: string): number {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new InvalidArgumentError(`${event} request is not JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (text === undefined) return 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
