import { monotonicMicros } from './bench-event.js';
import type { WriteLoadResult } from './ipc-protocol.js';
import { LatencyHistogram } from './latency-histogram.js';

/** Options of {@link runWriteLoad}. */
export interface WriteLoadOptions {
  /** Writers running at once; each waits for its write before the next. */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** One write by writer `worker`; rejects with an error carrying `code` on failure. */
  write: (worker: number) => Promise<void>;
}

/**
 * A closed-loop write load: `concurrency` writers, each issuing its next write when the previous
 * one is acknowledged, for a warm-up and then a measured window. Writes that complete inside the
 * window are counted and their latency recorded; errors are counted by code.
 *
 * @example
 * const result = await runWriteLoad({ concurrency: 16, warmupMs: 1000, durationMs: 5000, write: () => doOne() });
 */
export async function runWriteLoad(options: WriteLoadOptions): Promise<WriteLoadResult> {
  const histogram = new LatencyHistogram();
  const errors: Record<string, number> = {};
  let measuring = false;
  let stopped = false;
  let ok = 0;
  let totalOk = 0;
  let windowStart = 0;
  let windowEnd = 0;

  const worker = async (index: number): Promise<void> => {
    while (!stopped) {
      const started = monotonicMicros();
      try {
        await options.write(index);
        totalOk += 1;
        if (measuring) {
          ok += 1;
          histogram.record(monotonicMicros() - started);
        }
      } catch (err) {
        const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'ERROR';
        if (measuring) errors[code] = (errors[code] ?? 0) + 1;
        // Do not spin on a failing server.
        if (!measuring) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };

  const workers = Array.from({ length: options.concurrency }, (_, index) => worker(index));
  await new Promise((resolve) => setTimeout(resolve, options.warmupMs));
  measuring = true;
  windowStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  measuring = false;
  windowEnd = performance.now();
  stopped = true;
  await Promise.all(workers);
  return { ok, errors, elapsedMs: windowEnd - windowStart, histogram: histogram.toData(), totalOk };
}
