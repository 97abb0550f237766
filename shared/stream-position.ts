/**
 * Where an event sits in its topic's stream: the stream's `epoch` (changes when the stream's
 * history is lost, e.g. a store restart) and the event's `offset` within it. Offsets read
 * `<ms>-<seq>` (Redis stream ids; the in-memory history uses the same form) and grow with every
 * event of the stream.
 *
 * @example
 * const position: StreamPosition = { epoch: 'k3j9', offset: '1795369057802-0' };
 */
export interface StreamPosition {
  epoch: string;
  offset: string;
}

/** Offsets look like `1795369057802-0`. */
export const OFFSET_PATTERN = /^\d{1,20}-\d{1,20}$/;

/**
 * Orders two offsets of one stream: negative when `a` comes first, 0 when equal.
 *
 * @example
 * compareOffsets('5-0', '12-0'); // < 0
 */
export function compareOffsets(a: string, b: string): number {
  const [aMs = '0', aSeq = '0'] = a.split('-');
  const [bMs = '0', bSeq = '0'] = b.split('-');
  const byMs = compareDigits(aMs, bMs);
  return byMs !== 0 ? byMs : compareDigits(aSeq, bSeq);
}

/** Compares non-negative integers written in decimal, of any length, without losing precision. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
