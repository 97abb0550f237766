/**
 * `npm run bench:start`: how long the server takes from `spawn` to listening, and how much memory
 * (RSS) it holds once started, three ways: the TypeScript sources through tsx (what `npm start` ran
 * before issue 18), the compiled JavaScript in `dist/` (`node dist/server/cli.js`: what the Docker
 * image runs), and `npm start` itself (npm, the `prestart` freshness check, then the compiled
 * server). Production configuration (a JWT secret, embedded store, no Redis), runs interleaved,
 * medians reported. Writes the "Start time" section of BENCHMARKS.md and leaves the rest as it is.
 *
 * Usage: npm run bench:start [-- --runs=9] [-- --no-write]
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine-info.js';
import { replaceSection } from './markdown-section.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCHMARKS = path.join(ROOT, 'BENCHMARKS.md');
/** The section this writes (test/bench/run.ts keeps it when it rewrites the rest). */
const START_TIME_HEADING = '## Start time';
/** How long the server idles after listening before its RSS is read. */
const SETTLE_MS = 1000;

interface Variant {
  name: string;
  command: string;
  file: string;
  args: string[];
}

const VARIANTS: Variant[] = [
  { name: 'TypeScript through tsx (before)', command: 'node --import tsx server/cli.ts', file: process.execPath, args: ['--import', 'tsx', 'server/cli.ts'] },
  { name: 'compiled JavaScript', command: 'node dist/server/cli.js', file: process.execPath, args: ['dist/server/cli.js'] },
  { name: '`npm start` (prestart check + compiled)', command: 'npm start', file: 'npm', args: ['start'] },
];

interface Sample {
  startMs: number;
  /** The server's node process. */
  rssBytes: number;
  /** Every process of the command (npm stays resident under `npm start`). */
  treeRssBytes: number;
}

/** The resident set of `pid`, from /proc (Linux). */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** `pid` and every process below it, with their command names. */
function processTree(pid: number): { pid: number; comm: string }[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  const found = [{ pid, comm: table.find(([child]) => Number(child) === pid)?.[2] ?? '' }];
  for (let i = 0; i < found.length; i += 1) {
    const parent = found[i]?.pid;
    for (const [child, ppid, comm] of table) if (Number(ppid) === parent) found.push({ pid: Number(child), comm: comm ?? '' });
  }
  return found;
}

async function measure(variant: Variant): Promise<Sample> {
  const started = performance.now();
  const child = spawn(variant.file, variant.args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      JWT_SECRET: 'bench-start-time-secret-0123456789abcdef',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      npm_config_update_notifier: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const startMs = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"listening"')) resolve(performance.now() - started);
    });
    child.once('exit', (code) => reject(new Error(`${variant.command} exited with ${String(code)}: ${output}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const tree = processTree(child.pid as number);
  // The server is the last node process of the tree (npm runs as node too, above it).
  const server = tree.filter(({ comm }) => comm === 'node').at(-1) ?? tree[0];
  const rssBytes = rssOf(server?.pid ?? (child.pid as number));
  const treeRssBytes = tree.reduce((sum, { pid }) => sum + rssOf(pid), 0);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { startMs, rssBytes, treeRssBytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  const runsArg = process.argv.find((arg) => arg.startsWith('--runs='));
  const runs = runsArg === undefined ? 7 : Number(runsArg.slice('--runs='.length));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  execFileSync('npm', ['run', 'build', '--', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });

  // One unmeasured start of each first: tsx's transform cache and the OS file cache warm up.
  for (const variant of VARIANTS) await measure(variant);
  const samples = new Map<Variant, Sample[]>(VARIANTS.map((variant) => [variant, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const variant of VARIANTS) samples.get(variant)?.push(await measure(variant));
    process.stdout.write(`run ${run + 1}/${runs}\n`);
  }

  const rows = VARIANTS.map((variant) => {
    const list = samples.get(variant) ?? [];
    return {
      variant,
      startMs: median(list.map(({ startMs }) => startMs)),
      minMs: Math.min(...list.map(({ startMs }) => startMs)),
      maxMs: Math.max(...list.map(({ startMs }) => startMs)),
      rssMiB: median(list.map(({ rssBytes }) => rssBytes)) / 1024 / 1024,
      treeRssMiB: median(list.map(({ treeRssBytes }) => treeRssBytes)) / 1024 / 1024,
    };
  });
  const [tsx, compiled] = rows;
  const machine = machineInfo();
  const section = [
    START_TIME_HEADING,
    '',
    `Generated by \`npm run bench:start\` ([test/bench/start-time.ts](test/bench/start-time.ts)) on ${new Date().toISOString().slice(0, 10)}: ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}. ` +
      `Time from spawning the command to the server's "listening" log line, and RSS ${SETTLE_MS / 1000} s after that (of the server's node process, and of every process the command runs: npm stays resident as the parent under \`npm start\`); ` +
      `production configuration (JWT secret, embedded store, no Redis); ${runs} interleaved runs of each after one unmeasured warm-up (tsx's transform cache warm), medians.`,
    '',
    '| How it starts | Command | Start (median) | Range | Server RSS | RSS of all its processes |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map(
      ({ variant, startMs, minMs, maxMs, rssMiB, treeRssMiB }) =>
        `| ${variant.name} | \`${variant.command}\` | ${(startMs / 1000).toFixed(2)} s | ${(minMs / 1000).toFixed(2)}–${(maxMs / 1000).toFixed(2)} s | ${rssMiB.toFixed(0)} MiB | ${treeRssMiB.toFixed(0)} MiB |`,
    ),
    '',
    tsx !== undefined && compiled !== undefined
      ? `Compiled against tsx: ${(tsx.startMs / compiled.startMs).toFixed(1)}× faster to start, ${(tsx.rssMiB - compiled.rssMiB).toFixed(0)} MiB less memory. ` +
        '`npm start` adds npm itself and the `prestart` check (`tsx scripts/build.ts --if-stale`, which compares modification times and builds only when a source is newer than `dist/`); the Docker image runs `node dist/server/cli.js` directly.'
      : '',
    '',
  ].join('\n');
  process.stdout.write(`\n${section}\n`);
  if (process.argv.includes('--no-write')) return;
  writeFileSync(BENCHMARKS, replaceSection(readFileSync(BENCHMARKS, 'utf8'), START_TIME_HEADING, section, '## Against published numbers'));
  process.stdout.write('BENCHMARKS.md: "Start time" section written\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
