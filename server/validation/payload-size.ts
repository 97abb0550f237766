import { PayloadTooLargeError } from '../../shared/index.js';

/**
 * Size of a value as UTF-8 JSON, in bytes.
 *
 * @example
 * jsonByteLength({ a: 'é' }); // 10
 */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

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
