import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';

/**
 * How big a fuzz run is, read once from the environment.
 *
 * - `FUZZ_RUNS`: runs of the main socket property (`npm run fuzz` sets 30000, ten times CI); every
 *   other property scales in proportion to its CI size. Unset, every property runs its CI size,
 *   which keeps the fuzz files of `npm test` near one minute on two cores.
 * - `FUZZ_SEED`: a number replays a run; `random` draws a fresh seed (printed). Unset, every
 *   property uses its own fixed seed, so CI is deterministic.
 * - `FUZZ_PATH`: with `FUZZ_SEED`, replays the counterexample path fast-check printed.
 */
export interface FuzzSettings {
  /** `FUZZ_RUNS`, when set. */
  runs?: number;
  /** `FUZZ_SEED` as a number, `'random'`, or absent. */
  seed?: number | 'random';
  path?: string;
}

/** The runs of the main socket property in CI, the unit that `FUZZ_RUNS` scales. */
export const CI_MAIN_RUNS = 3_000;

function readSettings(env: Record<string, string | undefined>): FuzzSettings {
  const settings: FuzzSettings = {};
  const runs = Number(env.FUZZ_RUNS);
  if (env.FUZZ_RUNS !== undefined && env.FUZZ_RUNS !== '') {
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive whole number, got ${env.FUZZ_RUNS}`);
    settings.runs = runs;
  }
  const seed = env.FUZZ_SEED;
  if (seed === 'random') settings.seed = 'random';
  else if (seed !== undefined && seed !== '') {
    if (!Number.isInteger(Number(seed))) throw new Error(`FUZZ_SEED must be a whole number or "random", got ${seed}`);
    settings.seed = Number(seed);
  }
  if (env.FUZZ_PATH !== undefined && env.FUZZ_PATH !== '') settings.path = env.FUZZ_PATH;
  return settings;
}

export const FUZZ_SETTINGS: FuzzSettings = readSettings(process.env);

/**
 * The number of runs of a property whose CI size is `ciRuns`: `ciRuns` in CI, scaled by
 * `FUZZ_RUNS / CI_MAIN_RUNS` in a large run.
 *
 * @example
 * runsFor(1_500); // 1500 in CI, 15000 with FUZZ_RUNS=30000
 */
export function runsFor(ciRuns: number): number {
  if (FUZZ_SETTINGS.runs === undefined) return ciRuns;
  return Math.max(1, Math.round((ciRuns * FUZZ_SETTINGS.runs) / CI_MAIN_RUNS));
}

/**
 * A test timeout for a property of `ciRuns` CI runs that take about `msPerRun` each: generous, and
 * growing with `FUZZ_RUNS`, because a slow run is reported by the property itself (an answer that
 * does not arrive fails the run), not by the test runner.
 *
 * @example
 * it('...', async () => {...}, timeoutFor(1_500, 40));
 */
export function timeoutFor(ciRuns: number, msPerRun: number): number {
  return 60_000 + runsFor(ciRuns) * msPerRun * 4;
}

/** A fixed seed per property name, so that CI runs are reproducible and properties differ. */
function fixedSeed(name: string): number {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i += 1) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return hash | 0;
}

/** How long shrinking may take after the first failure (`FUZZ_SHRINK_MS`), ms. */
const SHRINK_BUDGET_MS = Number(process.env.FUZZ_SHRINK_MS ?? '') || 30_000;

/**
 * `fc.assert` of `predicate` over `arbitrary` with the settings above: the property's CI runs
 * (scaled by `FUZZ_RUNS`), its fixed seed (or `FUZZ_SEED`), and the seed and path printed on
 * failure so that a CI failure replays locally with `FUZZ_SEED=<seed> FUZZ_PATH=<path>`.
 * Shrinking stops {@link SHRINK_BUDGET_MS} after the first failure (a failure that is a timeout
 * would otherwise cost seconds per shrink step), reporting the smallest failure found by then.
 *
 * @example
 * await fuzzAssert('socket events', 3_000, calls, async (value) => {...});
 */
export async function fuzzAssert<T>(name: string, ciRuns: number, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>): Promise<void> {
  const seed = FUZZ_SETTINGS.seed === 'random' ? (Date.now() ^ (Math.random() * 0x100000000)) | 0 : (FUZZ_SETTINGS.seed ?? fixedSeed(name));
  let firstFailureAt: number | undefined;
  const property = fc.asyncProperty(arbitrary, async (value) => {
    // Past the budget every shrink candidate passes, which ends shrinking at the smallest failure so far.
    if (firstFailureAt !== undefined && Date.now() - firstFailureAt > SHRINK_BUDGET_MS) return;
    try {
      await predicate(value);
    } catch (err) {
      firstFailureAt ??= Date.now();
      throw err;
    }
  });
  const details = await fc.check(property, {
    numRuns: runsFor(ciRuns),
    seed,
    endOnFailure: false,
    ...(FUZZ_SETTINGS.path === undefined ? {} : { path: FUZZ_SETTINGS.path }),
  });
  if (!details.failed) return;
  const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''}`;
  const error = details.errorInstance;
  const counterexample = printable(details.counterexample?.[0]);
  const file = saveCounterexample(name, details.seed, counterexample, error);
  const message =
    `Fuzz property "${name}" failed after ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s).\n` +
    `Replay: ${replay}\n` +
    `Error: ${error instanceof Error ? error.message : String(error)}\n` +
    `Counterexample (${counterexample.length} characters, in full in ${file}): ${clip(counterexample, 3000)}`;
  throw new Error(message, { cause: error });
}

/**
 * The counterexample as text. `fc.stringify` recurses without bound and overflows the stack on the
 * deeply nested values the fuzzers send, so this uses JSON (which handles them) with markers for
 * what JSON cannot show.
 */
function printable(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, inner: unknown) => {
      if (inner === undefined) return '<undefined>';
      if (typeof inner === 'number' && !Number.isFinite(inner)) return `<${inner}>`;
      if (ArrayBuffer.isView(inner)) return `<${inner.constructor.name} of ${inner.byteLength} bytes>`;
      return inner;
    });
  } catch (err) {
    return `<not printable: ${(err as Error).message}>`;
  }
}

/** Long strings (huge payloads) would flood the test report; the whole value goes to a file. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... [${text.length - max} more characters]`;
}

function saveCounterexample(name: string, seed: number, counterexample: string, error: unknown): string {
  const dir = path.resolve('.cache/fuzz');
  const file = path.join(dir, `${name.replace(/[^A-Za-z0-9_-]+/g, '-')}-${seed}.txt`);
  try {
    mkdirSync(dir, { recursive: true });
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    writeFileSync(file, `${counterexample}\n\n${stack}\n`);
  } catch {
    return '(could not be written)';
  }
  return file;
}
