import { assertPayloadSize } from '../limits/payload-size.js';
import { applyMergePatch } from '../sync/document-operations.js';

/**
 * An entity's `data` after a write: `patch` deep-merged into `current` (RFC 7386: a `null` value
 * deletes its key, arrays replace), checked against the size limit.
 *
 * @throws PayloadTooLargeError when the merged data is larger than `maxBytes`.
 * @throws InvalidArgumentError when the patch holds something that is not JSON.
 * @example
 * mergeEntityData({ a: 1, b: { c: 2 } }, { a: null, b: { d: 3 } }, 16_384); // { b: { c: 2, d: 3 } }
 */
export function mergeEntityData(current: Record<string, unknown>, patch: Record<string, unknown> | undefined, maxBytes: number): Record<string, unknown> {
  if (patch === undefined) return current;
  const merged = applyMergePatch(current, patch);
  assertPayloadSize(merged, maxBytes, 'data');
  return merged;
}
