import { PayloadTooLargeError } from '../../shared/index.js';
import { jsonByteLength } from '../sync/json-data.js';

/**
 * Throws `PAYLOAD_TOO_LARGE` when a value's JSON exceeds `maxBytes`.
 *
 * @example
 * assertPayloadSize(request.payload, limits.maxPayloadBytes, 'payload');
 */
export function assertPayloadSize(value: unknown, maxBytes: number, what: string): void {
  const size = jsonByteLength(value);
  if (size > maxBytes) {
    throw new PayloadTooLargeError(`${what} is ${size} bytes; the limit is ${maxBytes}`, {
      details: { size, limit: maxBytes },
    });
  }
}
