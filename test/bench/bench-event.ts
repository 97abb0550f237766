/**
 * What the load publisher sends and the receivers read back: the payload of every benchmark event,
 * and the clock both ends stamp it with.
 *
 * Why a monotonic clock: publisher and receivers are different processes on the same machine.
 * `process.hrtime` reads CLOCK_MONOTONIC, which every process on one machine shares, so a
 * timestamp taken in one process and compared in another gives a true publish-to-receive time,
 * immune to wall-clock adjustments. It is in microseconds so it stays an exact JS number.
 */

/** The realm every benchmark connection works in. */
export const BENCH_REALM = 'bench';
/** The topic of fan-out and latency events. */
export const FANOUT_TOPIC = 'bench.fanout';
/** The sync service the write benchmarks use. */
export const SYNC_SERVICE = 'bench';
/** Value of `kind` in every benchmark payload (filters name it). */
export const EVENT_KIND = 'tick';

/** The payload of a benchmark event. */
export interface BenchPayload extends Record<string, unknown> {
  /** Position in the publisher's sequence, from 0, never reused within one server process. */
  seq: number;
  /** Publish time, {@link monotonicMicros}. */
  t: number;
  kind: typeof EVENT_KIND;
  /** Filtered fan-out: subscriptions select one bucket, `seq % buckets`. */
  shard: { bucket: number };
  /** Padding so the payload reaches the requested size. */
  data: string;
}

/**
 * Microseconds on the machine-wide monotonic clock.
 *
 * @example
 * const latencyMicros = monotonicMicros() - payload.t;
 */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Builds the payload of event `seq`, padded so its JSON is about `bytes` long.
 *
 * @example
 * makePayload(0, 10, 100); // { seq: 0, t: ..., kind: 'tick', shard: { bucket: 0 }, data: 'xxxx...' }
 */
export function makePayload(seq: number, buckets: number, _bytes: number, padding: string): BenchPayload {
  return { seq, t: monotonicMicros(), kind: EVENT_KIND, shard: { bucket: seq % buckets }, data: padding };
}

/**
 * The padding string that brings a payload to about `bytes` of JSON (the other fields take ~75).
 *
 * @example
 * const padding = paddingFor(100);
 */
export function paddingFor(bytes: number): string {
  return 'x'.repeat(Math.max(0, bytes - 75));
}
