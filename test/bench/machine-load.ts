import { readFileSync } from 'node:fs';
import { progress, sleep } from './progress.js';

/**
 * Machine-wide CPU accounting from /proc/stat, to tell how busy the machine was with work that is
 * not the benchmark's (on a shared developer machine, test suites may run at the same time).
 */

/** Cumulative busy and total CPU time of the whole machine, in µs. */
export interface MachineCpu {
  busyMicros: number;
  totalMicros: number;
}

const TICK_MICROS = 1_000_000 / 100; // USER_HZ is 100 on Linux

/** Reads the machine's CPU counters (zeros where /proc/stat is missing). */
export function readMachineCpu(): MachineCpu {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const busy = user + nice + system + irq + softirq + steal;
    return { busyMicros: busy * TICK_MICROS, totalMicros: (busy + idle + iowait) * TICK_MICROS };
  } catch {
    return { busyMicros: 0, totalMicros: 0 };
  }
}

/**
 * Cores' worth of CPU used between two readings by everything except `ownMicros` (the
 * benchmark's own processes over the same interval).
 */
export function otherLoadCores(before: MachineCpu, after: MachineCpu, ownMicros: number, wallMicros: number): number {
  if (wallMicros <= 0) return 0;
  return Math.max(0, (after.busyMicros - before.busyMicros - ownMicros) / wallMicros);
}

let waitedMs = 0;
/** The most a whole run waits for quiet, so a busy machine cannot stretch it without bound. */
const RUN_WAIT_BUDGET_MS = 60_000;

/**
 * Waits (at most `maxWaitMs`, and within the run's budget of 60 s in all) until the machine has
 * been nearly idle for 0.3 s, so a measurement does not start while something else loads the
 * CPU. The benchmark's own processes must be idle when this is called. Returns the load (cores)
 * seen last.
 */
export async function waitForQuietMachine(scope: string, maxWaitMs = 15_000, threshold = 0.3): Promise<number> {
  const started = performance.now();
  maxWaitMs = Math.max(0, Math.min(maxWaitMs, RUN_WAIT_BUDGET_MS - waitedMs));
  let announced = false;
  for (;;) {
    const before = readMachineCpu();
    const t0 = performance.now();
    await sleep(300);
    const after = readMachineCpu();
    const load = otherLoadCores(before, after, 0, (performance.now() - t0) * 1000);
    const waited = performance.now() - started;
    if (load < threshold || waited >= maxWaitMs) {
      waitedMs += waited;
      if (load >= threshold) progress(scope, `machine still busy (${load.toFixed(2)} cores in use by other processes); measuring anyway`);
      return load;
    }
    if (!announced) {
      progress(scope, `machine busy (${load.toFixed(2)} cores in use by other processes); waiting up to ${maxWaitMs / 1000} s for it to calm down`);
      announced = true;
    }
  }
}

/** Total time spent waiting for a quiet machine in this run, ms. */
export function quietWaitTotalMs(): number {
  return waitedMs;
}
