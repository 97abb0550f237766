/**
 * A bounded, mergeable latency histogram: log-spaced buckets 2% wide from 1 µs to ~100 s, so
 * millions of samples cost a fixed ~1,000 counters and percentiles are within 2%.
 */

const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(1e8) / LOG_GROWTH) + 1;

/** A histogram as it crosses a process boundary: sparse `[bucket, count]` pairs plus exact extremes. */
export interface HistogramData {
  counts: Array<[number, number]>;
  count: number;
  min: number;
  max: number;
  sum: number;
}

/** Percentiles of a histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * Records latencies in microseconds.
 *
 * @example
 * const histogram = new LatencyHistogram();
 * histogram.record(1234);
 * histogram.summary().p99Ms;
 */
export class LatencyHistogram {
  private counts = new Float64Array(BUCKETS);
  private total = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;
  private sum = 0;

  /** How many samples it holds. */
  get count(): number {
    return this.total;
  }

  /** Records one sample (µs); values below 1 µs count as 1 µs, above the range in the last bucket. */
  record(micros: number): void {
    const value = Math.max(micros, 1);
    const bucket = Math.min(BUCKETS - 1, Math.floor(Math.log(value) / LOG_GROWTH));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.total += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds another histogram's samples. */
  merge(data: HistogramData): void {
    for (const [bucket, count] of data.counts) this.counts[bucket] = (this.counts[bucket] ?? 0) + count;
    this.total += data.count;
    this.sum += data.sum;
    if (data.count > 0) {
      this.min = Math.min(this.min, data.min);
      this.max = Math.max(this.max, data.max);
    }
  }

  /** Forgets every sample. */
  reset(): void {
    this.counts = new Float64Array(BUCKETS);
    this.total = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
    this.sum = 0;
  }

  /** The samples in transferable form. */
  toData(): HistogramData {
    const counts: Array<[number, number]> = [];
    this.counts.forEach((count, bucket) => {
      if (count > 0) counts.push([bucket, count]);
    });
    return { counts, count: this.total, min: this.total > 0 ? this.min : 0, max: this.max, sum: this.sum };
  }

  /** The value (µs) at or below which `fraction` of the samples lie. */
  percentile(fraction: number): number {
    if (this.total === 0) return 0;
    const rank = Math.ceil(fraction * this.total);
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
      seen += this.counts[bucket] ?? 0;
      if (seen >= rank) {
        // The bucket's geometric middle, kept inside the exact extremes.
        const middle = GROWTH ** (bucket + 0.5);
        return Math.min(this.max, Math.max(this.min, middle));
      }
    }
    return this.max;
  }

  /** p50 / p95 / p99 / max / mean in milliseconds. */
  summary(): LatencySummary {
    const ms = (micros: number): number => Math.round(micros / 10) / 100;
    return {
      count: this.total,
      p50Ms: ms(this.percentile(0.5)),
      p95Ms: ms(this.percentile(0.95)),
      p99Ms: ms(this.percentile(0.99)),
      maxMs: ms(this.max),
      meanMs: ms(this.total === 0 ? 0 : this.sum / this.total),
    };
  }
}
