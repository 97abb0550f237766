/**
 * Offsets in a topic stream are dense sequence numbers written `0-<seq>`: event n of a stream has
 * offset `0-n`. Density is what lets a replay tell whether trimming removed anything after a
 * position: it did unless the oldest kept entry is at most one past it.
 */

/** The offset of the n-th event of a stream. */
export function offsetOf(sequence: number): string {
  return `0-${sequence}`;
}

/** The sequence number in an offset, or undefined for one this history did not issue. */
export function sequenceOf(offset: string): number | undefined {
  const match = /^0-(\d{1,15})$/.exec(offset);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Whether the history still holds every event after `requested`.
 *
 * @param requested the client's last sequence number
 * @param oldestKept the sequence number of the oldest event still kept, if any is
 * @param latest the stream's latest sequence number
 */
export function isCovered(requested: number, oldestKept: number | undefined, latest: number): boolean {
  if (requested > latest) return false;
  if (requested === latest) return true;
  return oldestKept !== undefined && oldestKept <= requested + 1;
}
