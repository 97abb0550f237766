import type { BenchOptions } from './bench-options.js';
import { ratioOf, type BenchRow, type CaseResult } from './cases/bench-case.js';
import type { MachineInfo } from './machine-info.js';

/** A row as written to the JSON file, with its ratio. */
export interface ResultRow extends BenchRow {
  ratio: number | null;
}

/** The whole run: what `test/bench/results/latest.json` holds. */
export interface BenchResults {
  schema: 1;
  /** ISO time the run started. */
  date: string;
  machine: MachineInfo;
  options: BenchOptions;
  /** Whether every case ran at default sizes (the comparable run). */
  defaultRun: boolean;
  cases: Array<Omit<CaseResult, 'rows'> & { rows: ResultRow[]; error?: string }>;
  durationMs: number;
  /** Time spent waiting for other processes to leave the CPU alone. */
  quietWaitMs: number;
}

/** Adds ratios to a case's rows. */
export function withRatios(result: CaseResult): Omit<CaseResult, 'rows'> & { rows: ResultRow[] } {
  return { ...result, rows: result.rows.map((row) => ({ ...row, ratio: ratioOf(row) })) };
}

/** A row by id, across cases. */
export function findRow(results: BenchResults, id: string): ResultRow | undefined {
  for (const result of results.cases) {
    const row = result.rows.find((entry) => entry.id === id);
    if (row !== undefined) return row;
  }
  return undefined;
}
