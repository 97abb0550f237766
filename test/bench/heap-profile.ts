/**
 * `npm run bench:heap`: where an idle connection's memory goes. Starts a server process (the
 * platform, then bare Socket.IO) and the benchmark's client processes, opens and closes 200
 * connections (so lazily built code and caches are not counted), takes a heap snapshot, opens N
 * idle connections exactly as case 4 does (each with its own JWT and two subscriptions; bare: the
 * same two rooms), takes a second snapshot, and prints what the second holds that the first did
 * not, per connection, by class and by owner (`heap-snapshot-diff.ts`), then (for both kinds)
 * case 4's breakdown table (`heap-breakdown.ts`).
 *
 * Flags: `--connections=N` (default 2,000: the figures are per connection, and a snapshot of
 * 5,000 platform connections is ~400 MB of JSON to parse), `--kind=platform|bare|both` (default
 * both), `--top=N` lines per table (default 30), `--dir=PATH` where the snapshots are kept
 * (default a new folder under the system's temporary directory). Open the `.heapsnapshot` files
 * in Chrome DevTools (Memory → Load) for the full retainer view.
 *
 * @example
 * npm run bench:heap -- --connections=2000 --kind=platform
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killAllChildren } from './child-processes.js';
import { breakdownTable, categorise, takeHeapSnapshots } from './heap-breakdown.js';
import { diffHeapSnapshots, printHeapDiff } from './heap-snapshot-diff.js';
import type { ServerKind } from './ipc-protocol.js';
import { formatNumber, progress } from './progress.js';

interface HeapOptions {
  connections: number;
  kinds: ServerKind[];
  top: number;
  dir: string;
}

function parseArguments(argv: string[]): HeapOptions {
  const options: HeapOptions = { connections: 2000, kinds: ['platform', 'bare'], top: 30, dir: '' };
  for (const argument of argv) {
    const [name, value = ''] = argument.replace(/^--/, '').split('=', 2) as [string, string?];
    if (name === 'connections') options.connections = positive(value, name);
    else if (name === 'top') options.top = positive(value, name);
    else if (name === 'dir') options.dir = resolve(value);
    else if (name === 'kind' && (value === 'platform' || value === 'bare')) options.kinds = [value];
    else if (name === 'kind' && value === 'both') options.kinds = ['platform', 'bare'];
    else throw new Error(`unknown or malformed flag: ${argument} (see the comment at the top of test/bench/heap-profile.ts)`);
  }
  if (options.dir === '') options.dir = mkdtempSync(join(tmpdir(), 'bench-heap-'));
  return options;
}

function positive(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 50_000) throw new Error(`--${name} must be a whole number from 1 to 50000`);
  return parsed;
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const groups: Array<ReturnType<typeof categorise>> = [];
  for (const kind of options.kinds) {
    const { base, after, heapPerConnection } = await takeHeapSnapshots(kind, options.connections, options.dir);
    progress('heap', `${kind}: analysing ${after}`);
    const diff = diffHeapSnapshots(base, after);
    process.stdout.write(
      `\n=== ${kind}, ${formatNumber(options.connections)} idle connections: heapUsed +${formatNumber(heapPerConnection / 1024, 2)} KB per connection ===\n`,
    );
    printHeapDiff(diff, options.connections, options.top);
    groups.push(categorise(diff, options.connections));
  }
  if (groups.length === 2) process.stdout.write(`\n${breakdownTable(groups[0] ?? [], groups[1] ?? [])}\n`);
}

main().then(
  () => {
    killAllChildren();
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`bench:heap: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllChildren();
    process.exit(1);
  },
);
