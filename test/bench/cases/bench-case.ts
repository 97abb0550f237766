import type { BenchOptions, CaseId } from '../bench-options.js';
import type { LatencyResult, ThroughputResult } from './measure.js';

/**
 * One line of the results table: our figure, the baseline measured in the same run, and what
 * "better" means for it. `value` and `baseline` are null when not measured.
 */
export interface BenchRow {
  /** Stable id, e.g. `fanout.deliveries`. */
  id: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  value: number | null;
  baseline: number | null;
  /** What the baseline is, e.g. "bare Socket.IO io.to(room).emit". */
  baselineLabel: string;
  note?: string;
}

/** What a case reports: table rows, free-form details (kept in the JSON), notes for the markdown. */
export interface CaseResult {
  id: CaseId;
  title: string;
  rows: BenchRow[];
  details: Record<string, unknown>;
  notes: string[];
  elapsedMs: number;
}

/** Figures one case leaves for later cases of the same run (so they are not measured twice). */
export interface SharedFigures {
  /** Case 1's saturated fan-out: ours without batched frames (`platform`), with them (`batched`), and bare. */
  fanout?: { platform: ThroughputResult; batched: ThroughputResult; bare: ThroughputResult };
  /** Case 3's fixed-rate latencies of our server without batched frames (one per `--rates` entry). */
  latency?: { platform: LatencyResult[] };
  /** Case 3's highest rates with p99 within the bound, deliveries/s: with and without batched frames. */
  capacity?: { batched: number; unbatched: number; bare: number };
}

/** What every case gets. */
export interface BenchContext {
  options: BenchOptions;
  /** Set with --profile: where servers write CPU profiles. */
  profileDir?: string;
  shared: SharedFigures;
}

/**
 * A benchmark case. Adding one: a file in `cases/` exporting a BenchCase, its id in
 * `CASE_IDS` (bench-options.ts) and an entry in `cases/index.ts`.
 */
export interface BenchCase {
  id: CaseId;
  title: string;
  run(context: BenchContext): Promise<Omit<CaseResult, 'id' | 'title' | 'elapsedMs'>>;
}

/** ours / baseline, or null when either is missing. */
export function ratioOf(row: Pick<BenchRow, 'value' | 'baseline'>): number | null {
  if (row.value === null || row.baseline === null || row.baseline === 0) return null;
  return row.value / row.baseline;
}
