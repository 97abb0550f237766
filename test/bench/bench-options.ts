/**
 * Command-line options of `npm run bench` (`--name=value` or `--name value`).
 */

/** Every case, in the order they run. */
export const CASE_IDS = [
  'fanout',
  'filtered',
  'latency',
  'connections',
  'sync',
  'multinode',
  'batching',
  'flood',
  'geo',
  'geofeeds',
  'rpc',
  'records',
  'sharded',
  'dbevents',
] as const;
export type CaseId = (typeof CASE_IDS)[number];

export interface BenchOptions {
  /** Which cases to run. @default every case */
  cases: CaseId[];
  /** Subscribed connections in the fan-out, filtered and latency cases. @default 1000 */
  connections: number;
  /** Client processes the connections are spread over (2 to 4). @default 2 */
  clients: number;
  /** Length of each measured window, ms (latency search steps and sync loads take half). @default 4000 */
  durationMs: number;
  /** Load before each saturating window, ms. @default 1500 */
  warmupMs: number;
  /** Offered publish rates (events/s) of the latency case. @default [10, 25, 50, 100] */
  rates: number[];
  /** Idle connection counts of the memory case. @default [5000, 20000] */
  memoryConnections: number[];
  /** Approximate payload size in bytes. @default 100 */
  payloadBytes: number;
  /** Closed-loop window: undelivered deliveries allowed in flight. @default 32000 */
  inflightDeliveries: number;
  /** Sync writes in flight. @default 32 */
  syncConcurrency: number;
  /** Documents of the sync "many documents" load. @default 1000 */
  syncDocs: number;
  /** Runs servers with --cpu-prof (profiles in test/bench/results/profiles). @default false */
  profile: boolean;
  /** Where the JSON results go. @default test/bench/results/latest.json */
  out: string;
  /** Write BENCHMARKS.md even for a partial or non-default run. @default false */
  write: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  cases: [...CASE_IDS],
  connections: 1000,
  clients: 2,
  durationMs: 4000,
  warmupMs: 1500,
  rates: [10, 25, 50, 100],
  memoryConnections: [5000, 20000],
  payloadBytes: 100,
  inflightDeliveries: 32_000,
  syncConcurrency: 32,
  syncDocs: 1000,
  profile: false,
  out: 'test/bench/results/latest.json',
  write: false,
};

export const USAGE = `Usage: npm run bench -- [options]

Runs the benchmark suite against real server processes driven by separate client processes,
writes ${DEFAULT_OPTIONS.out} and (for a full default run) BENCHMARKS.md.

  --cases=LIST              ${CASE_IDS.join(',')} (default: all)
  --connections=N           subscribers in fan-out / filtered / latency (default ${DEFAULT_OPTIONS.connections})
  --clients=N               client processes, 2-4 (default ${DEFAULT_OPTIONS.clients})
  --duration=SECONDS        each measured window (default ${DEFAULT_OPTIONS.durationMs / 1000})
  --warmup=SECONDS          load before each window (default ${DEFAULT_OPTIONS.warmupMs / 1000})
  --rates=LIST              latency case offered rates, events/s (default ${DEFAULT_OPTIONS.rates.join(',')})
  --memory-connections=LIST idle connections in the memory case (default ${DEFAULT_OPTIONS.memoryConnections.join(',')})
  --payload-bytes=N         payload size (default ${DEFAULT_OPTIONS.payloadBytes})
  --inflight=N              closed-loop window in deliveries (default ${DEFAULT_OPTIONS.inflightDeliveries})
  --sync-concurrency=N      sync writes in flight (default ${DEFAULT_OPTIONS.syncConcurrency})
  --sync-docs=N             documents in the many-documents load (default ${DEFAULT_OPTIONS.syncDocs})
  --profile                 run servers with --cpu-prof; prints the top functions
  --out=PATH                JSON results (default ${DEFAULT_OPTIONS.out})
  --write                   write BENCHMARKS.md even for a partial or non-default run
  --help`;

/** Thrown for a bad flag; the message says which. */
export class BenchOptionsError extends Error {
  override readonly name = 'BenchOptionsError';
}

/**
 * Parses the command line.
 *
 * @example
 * parseBenchOptions(['--cases=fanout,latency', '--connections', '2000']);
 */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  const options: BenchOptions = { ...DEFAULT_OPTIONS, cases: [...DEFAULT_OPTIONS.cases] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('--')) throw new BenchOptionsError(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const flag = name === 'profile' || name === 'write';
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (flag) value = 'true';
    else {
      value = argv[i + 1] ?? '';
      i += 1;
    }
    switch (name) {
      case 'cases':
        options.cases = list(value, name).map((id) => {
          if (!(CASE_IDS as readonly string[]).includes(id)) throw new BenchOptionsError(`Unknown case "${id}" (known: ${CASE_IDS.join(', ')})`);
          return id as CaseId;
        });
        break;
      case 'connections':
        options.connections = integer(value, name, 10, 100_000);
        break;
      case 'clients':
        options.clients = integer(value, name, 1, 8);
        break;
      case 'duration':
        options.durationMs = seconds(value, name);
        break;
      case 'warmup':
        options.warmupMs = seconds(value, name, 0);
        break;
      case 'rates':
        options.rates = list(value, name).map((rate) => integer(rate, name, 1, 100_000));
        break;
      case 'memory-connections':
        options.memoryConnections = list(value, name).map((count) => integer(count, name, 1, 1_000_000));
        break;
      case 'payload-bytes':
        options.payloadBytes = integer(value, name, 0, 60_000);
        break;
      case 'inflight':
        options.inflightDeliveries = integer(value, name, 1, 10_000_000);
        break;
      case 'sync-concurrency':
        options.syncConcurrency = integer(value, name, 1, 10_000);
        break;
      case 'sync-docs':
        options.syncDocs = integer(value, name, 1, 1_000_000);
        break;
      case 'profile':
        options.profile = value !== 'false';
        break;
      case 'write':
        options.write = value !== 'false';
        break;
      case 'out':
        if (value === '') throw new BenchOptionsError('--out needs a path');
        options.out = value;
        break;
      default:
        throw new BenchOptionsError(`Unknown option --${name}`);
    }
  }
  return options;
}

/**
 * Whether the run has every case at default sizes and no profiler slowing the servers (so its
 * figures are the comparable ones that belong in BENCHMARKS.md).
 */
export function isDefaultRun(options: BenchOptions): boolean {
  const sizes = (o: BenchOptions): string => JSON.stringify({ ...o, cases: [...o.cases].sort(), out: '', write: false });
  return !options.profile && sizes(options) === sizes(DEFAULT_OPTIONS);
}

function list(value: string, name: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new BenchOptionsError(`--${name} needs a comma-separated list`);
  return items;
}

function integer(value: string, name: string, min: number, max: number): number {
  const number = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(number) || number < min || number > max)
    throw new BenchOptionsError(`--${name} must be an integer from ${min} to ${max}, not "${value}"`);
  return number;
}

function seconds(value: string, name: string, min = 0.5): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < min || number > 3600) throw new BenchOptionsError(`--${name} must be seconds from ${min} to 3600, not "${value}"`);
  return Math.round(number * 1000);
}
