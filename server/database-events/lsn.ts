/**
 * PostgreSQL log sequence numbers (`16/B374D848`): parsed to a bigint to compare and subtract.
 *
 * @example
 * compareLsn('0/16B3748', '0/16B3750'); // -1
 */
export function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  if (high === undefined || low === undefined) throw new Error(`Not an LSN: ${lsn}`);
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export function compareLsn(a: string, b: string): -1 | 0 | 1 {
  const x = lsnValue(a);
  const y = lsnValue(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The text form of an LSN value. */
export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}
