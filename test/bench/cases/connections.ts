import { connectReceivers, withFleet } from '../fleet.js';
import { heapBreakdown } from '../heap-breakdown.js';
import type { ServerKind, ServerStats } from '../ipc-protocol.js';
import { waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress, sleep } from '../progress.js';
import type { BenchCase, BenchContext, BenchRow } from './bench-case.js';

/** File descriptors kept free for everything else the server process opens. */
const FD_RESERVE = 200;
/** Connections opened and closed first, so lazily loaded code and JIT warm-up are not counted. */
const WARMUP_CONNECTIONS = 200;
/** Connections in the heap-snapshot breakdown (per-connection figures; a snapshot of 5,000 is ~400 MB of JSON). */
const BREAKDOWN_CONNECTIONS = 1000;

/** Memory growth per connection at one connection count. */
export interface MemoryPoint {
  connections: number;
  rssBytesPerConnection: number;
  heapBytesPerConnection: number;
  /** Buffers outside the JS heap (external + arrayBuffers) per connection. */
  externalBytesPerConnection: number;
  /** Connections (each authenticated, with two subscriptions) opened per second. */
  connectRatePerSecond: number;
  stats: ServerStats;
}

export interface MemoryRun {
  base: ServerStats;
  points: MemoryPoint[];
  fdLimit: number | null;
}

/** The connection counts to measure, capped by the server's open-files limit. */
export function feasibleCounts(requested: number[], fdLimit: number | null): { counts: number[]; capped: boolean } {
  const ceiling = fdLimit === null ? Number.POSITIVE_INFINITY : fdLimit - FD_RESERVE;
  const counts = [...new Set(requested.map((count) => Math.min(count, ceiling)))].sort((a, b) => a - b);
  return { counts, capped: requested.some((count) => count > ceiling) };
}

async function runMemory(context: BenchContext, kind: ServerKind): Promise<MemoryRun> {
  const { options } = context;
  const scope = 'connections';
  return withFleet({ kind, scope, clients: options.clients }, async (fleet) => {
    const plan = { kind: 'idle', sharedTopic: 'bench.news', ownTopicPrefix: 'bench.user.u' } as const;
    const { counts } = feasibleCounts(options.memoryConnections, fleet.server.ready.fdLimit);
    await fleet.pool.connect({ url: fleet.server.url, secret: fleet.server.secret, total: WARMUP_CONNECTIONS, plan, firstIndex: 10_000_000 });
    await fleet.pool.disconnect();
    await sleep(1000);
    await waitForQuietMachine(scope);
    const base = await fleet.server.stats(true);
    const points: MemoryPoint[] = [];
    let connected = 0;
    for (const target of counts) {
      const elapsedMs = await connectReceivers(fleet, scope, target - connected, plan, connected);
      const connectRatePerSecond = ((target - connected) * 1000) / elapsedMs;
      connected = target;
      await sleep(1000);
      const stats = await fleet.server.stats(true);
      if (stats.connections !== target) throw new Error(`${kind} server reports ${stats.connections} connections, expected ${target}`);
      const point: MemoryPoint = {
        connections: target,
        rssBytesPerConnection: (stats.rss - base.rss) / target,
        heapBytesPerConnection: (stats.heapUsed - base.heapUsed) / target,
        externalBytesPerConnection: (stats.external + stats.arrayBuffers - base.external - base.arrayBuffers) / target,
        connectRatePerSecond,
        stats,
      };
      points.push(point);
      progress(
        scope,
        `${kind} @ ${formatNumber(target)}: RSS +${kb(point.rssBytesPerConnection)} KB, heap +${kb(point.heapBytesPerConnection)} KB per connection; ` +
          `${formatNumber(connectRatePerSecond)} connections/s`,
      );
    }
    return { base, points, fdLimit: fleet.server.ready.fdLimit };
  });
}

/** Per connection: how much V8's old space grew committed and used, and its large-object space, from `base` to `point`. */
function spaceGrowth(base: ServerStats, point: MemoryPoint): { oldCommitted: number; oldUsed: number; large: number } | undefined {
  const before = base.heapSpaces;
  const after = point.stats.heapSpaces;
  if (before === undefined || after === undefined) return undefined;
  const grown = (name: string, field: 'size' | 'used'): number => ((after[name]?.[field] ?? 0) - (before[name]?.[field] ?? 0)) / point.connections;
  return { oldCommitted: grown('old_space', 'size'), oldUsed: grown('old_space', 'used'), large: grown('large_object_space', 'size') };
}

function kb(bytes: number): string {
  return formatNumber(bytes / 1024, 1);
}

/** Case 4: memory per idle authenticated connection with two subscriptions, against bare Socket.IO. */
export const connectionsCase: BenchCase = {
  id: 'connections',
  title: 'Connections (memory)',
  async run(context) {
    const { options } = context;
    const ours = await runMemory(context, 'platform');
    const bare = await runMemory(context, 'bare');
    const rows: BenchRow[] = [];
    ours.points.forEach((point, index) => {
      const baseline = bare.points[index];
      rows.push(
        {
          id: `connections.rss.${point.connections}`,
          label: `RSS per idle connection (authenticated, 2 subscriptions) at ${formatNumber(point.connections)}`,
          unit: 'KB',
          better: 'lower',
          value: point.rssBytesPerConnection / 1024,
          baseline: baseline === undefined ? null : baseline.rssBytesPerConnection / 1024,
          baselineLabel: 'bare Socket.IO connection in the same 2 rooms',
        },
        {
          id: `connections.heap.${point.connections}`,
          label: `JS heap per idle connection at ${formatNumber(point.connections)}`,
          unit: 'KB',
          better: 'lower',
          value: point.heapBytesPerConnection / 1024,
          baseline: baseline === undefined ? null : baseline.heapBytesPerConnection / 1024,
          baselineLabel: 'bare Socket.IO',
        },
      );
    });
    const last = ours.points[ours.points.length - 1];
    const lastBare = bare.points[bare.points.length - 1];
    const { capped } = feasibleCounts(options.memoryConnections, ours.fdLimit);
    const notes = [
      `Growth of the server process's RSS and used JS heap (each after two forced full GCs) from before the connections to after, ` +
        `divided by the connections. Each platform connection authenticates with its own JWT and subscribes to a shared topic and a topic ` +
        `of its own; each bare connection joins the same two rooms. ${WARMUP_CONNECTIONS} connections are opened and closed first.`,
    ];
    if (capped) {
      notes.push(
        `${formatNumber(Math.max(...options.memoryConnections))} connections were asked for, but the server process can open at most ` +
          `${formatNumber(ours.fdLimit ?? 0)} files: the hard \`ulimit -n\` on this machine, which cannot be raised without CAP_SYS_RESOURCE ` +
          `(the runner raises the soft limit to it). The largest feasible count, ${formatNumber(last?.connections ?? 0)}, was measured instead.`,
      );
    }
    if (last !== undefined && lastBare !== undefined) {
      notes.push(
        `Opening connections (connect + JWT + 2 subscriptions): ${formatNumber(last.connectRatePerSecond)}/s on the platform, ` +
          `${formatNumber(lastBare.connectRatePerSecond)}/s bare (connect + 2 joins), with ${options.clients} client processes.`,
      );
    }
    if (last !== undefined && lastBare !== undefined) {
      const ourSpaces = spaceGrowth(ours.base, last);
      const bareSpaces = spaceGrowth(bare.base, lastBare);
      if (ourSpaces !== undefined && bareSpaces !== undefined) {
        notes.push(
          `Where the RSS above the used heap goes, per connection at ${formatNumber(last.connections)} (V8's heap spaces after the same GCs): ` +
            `old space committed ${kb(ourSpaces.oldCommitted)} KB for ${kb(ourSpaces.oldUsed)} KB used on the platform, ` +
            `${kb(bareSpaces.oldCommitted)} KB for ${kb(bareSpaces.oldUsed)} KB bare (the difference is free space between surviving objects ` +
            `that a full GC leaves in place); large-object space ${kb(ourSpaces.large)} KB against ${kb(bareSpaces.large)} KB (the backing ` +
            `stores of the maps and sets keyed by connection, each feature's own).`,
        );
      }
    }
    try {
      const table = await heapBreakdown(BREAKDOWN_CONNECTIONS, options.clients);
      notes.push(
        `Where an idle connection's heap goes: heap snapshots of a fresh process of each server before and after ${formatNumber(BREAKDOWN_CONNECTIONS)} idle ` +
          `connections (same plan and warm-up), every new object's self size attributed to the nearest object on its retaining path with a class of its own ` +
          `(\`npm run bench:heap\` prints the full lists, by class and by owner).`,
        table,
      );
    } catch (err) {
      notes.push(`The heap-snapshot breakdown failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { rows, details: { platform: ours, bare }, notes };
  },
};
