/**
 * Maps open-ended values (realm names) to at most `max` label values; every value after the first
 * `max` distinct ones is `other`.
 *
 * Why this exists: every distinct label value is a time series kept forever by the process and by
 * Prometheus. Realms come from tokens and, for Hivekit users, from clients creating them, so an
 * uncapped realm label would let one tenant grow the metrics without bound.
 *
 * @example
 * const realms = new BoundedLabel(2);
 * realms.of('a'); realms.of('b'); realms.of('c'); // 'a', 'b', 'other'
 */
export class BoundedLabel {
  static readonly OTHER = 'other';
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max || value === BoundedLabel.OTHER) return BoundedLabel.OTHER;
    this.seen.add(value);
    return value;
  }
}
