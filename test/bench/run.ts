/**
 * `npm run bench`: runs the benchmark cases against real server processes driven by separate
 * client processes, prints progress, and writes the JSON results and (for a full default run)
 * BENCHMARKS.md. See `--help`, and BENCHMARKS.md for what each case measures.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withPackageSizes } from '../../packages/benchmarks-section.js';
import { BenchOptionsError, CASE_IDS, isDefaultRun, parseBenchOptions, USAGE, type BenchOptions } from './bench-options.js';
import { withRatios, type BenchResults } from './bench-results.js';
import { killAllChildren } from './child-processes.js';
import { CASES } from './cases/index.js';
import { machineInfo } from './machine-info.js';
import { extractSection, replaceSection } from './markdown-section.js';
import { quietWaitTotalMs } from './machine-load.js';
import { printProfiles } from './profile-summary.js';
import { elapsedMs, formatNumber, progress } from './progress.js';
import { renderMarkdown, renderTable } from './report-markdown.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function parseArguments(): BenchOptions {
  try {
    const parsed = parseBenchOptions(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (err) {
    if (!(err instanceof BenchOptionsError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const options = parseArguments();
  const date = new Date().toISOString();
  const machine = machineInfo();
  const profileDir = options.profile ? resolve(REPO_ROOT, 'test/bench/results/profiles', date.replace(/[:.]/g, '-')) : undefined;
  progress(
    'bench',
    `${machine.cpuModel}, ${machine.cores} cores, ${formatNumber(machine.memoryBytes / 1024 ** 3, 1)} GiB, Node ${machine.node}; ` +
      `cases: ${options.cases.join(', ')}`,
  );
  const results: BenchResults = {
    schema: 1,
    date,
    machine,
    options,
    defaultRun: isDefaultRun(options),
    cases: [],
    durationMs: 0,
    quietWaitMs: 0,
  };
  let failed = 0;
  const shared = {};
  for (const id of CASE_IDS) {
    if (!options.cases.includes(id)) continue;
    const benchCase = CASES[id];
    progress(id, `— ${benchCase.title} —`);
    const started = elapsedMs();
    try {
      const outcome = await benchCase.run({ options, shared, ...(profileDir === undefined ? {} : { profileDir }) });
      results.cases.push(withRatios({ id, title: benchCase.title, ...outcome, elapsedMs: elapsedMs() - started }));
    } catch (err) {
      failed += 1;
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      progress(id, `FAILED: ${message}`);
      results.cases.push({ id, title: benchCase.title, rows: [], details: {}, notes: [], elapsedMs: elapsedMs() - started, error: message });
    }
    progress(id, `done in ${formatNumber((elapsedMs() - started) / 1000, 1)} s`);
  }
  results.durationMs = elapsedMs();
  results.quietWaitMs = quietWaitTotalMs();

  const jsonPath = resolve(REPO_ROOT, options.out);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  progress('bench', `results written to ${options.out}`);
  process.stdout.write(`\n${renderTable(results)}\n`);
  if ((results.defaultRun || options.write) && failed === 0) {
    // Two sections come from their own scripts and a bench run keeps them: "Start time"
    // (`npm run bench:start`, test/bench/start-time.ts) and the package sizes (`npm run sizes:packages`).
    const benchmarksPath = resolve(REPO_ROOT, 'BENCHMARKS.md');
    const previous = existsSync(benchmarksPath) ? readFileSync(benchmarksPath, 'utf8') : '';
    const startTime = extractSection(previous, '## Start time');
    const markdown = renderMarkdown(results);
    const withStartTime = startTime === undefined ? markdown : replaceSection(markdown, '## Start time', startTime, '## Against published numbers');
    writeFileSync(benchmarksPath, withPackageSizes(withStartTime, previous));
    progress('bench', 'BENCHMARKS.md written');
  } else {
    progress('bench', `BENCHMARKS.md left as it was (${failed > 0 ? 'a case failed' : 'partial or non-default run; --write to overwrite'})`);
  }
  if (profileDir !== undefined) printProfiles(profileDir);
  progress('bench', `finished in ${formatNumber(results.durationMs / 1000, 1)} s`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    killAllChildren();
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllChildren();
    process.exit(1);
  },
);
