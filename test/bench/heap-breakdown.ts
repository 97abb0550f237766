import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectReceivers, withFleet } from './fleet.js';
import { diffHeapSnapshots, type HeapDiff } from './heap-snapshot-diff.js';
import type { ServerKind } from './ipc-protocol.js';
import { progress, sleep } from './progress.js';

/** Connections opened and closed before the first snapshot, as in case 4. */
const WARMUP_CONNECTIONS = 200;

/** Two heap snapshots of one server: before and after `connections` idle connections. */
export interface HeapSnapshots {
  kind: ServerKind;
  connections: number;
  base: string;
  after: string;
  /** heapUsed growth per connection between the two (after two full GCs each), bytes. */
  heapPerConnection: number;
}

/**
 * Starts a server of `kind` and the client processes, opens and closes 200 connections, takes a
 * heap snapshot, opens `connections` idle connections as case 4 does (own JWT, two
 * subscriptions; bare: the same two rooms), and takes another, both into `dir`.
 *
 * @example
 * const { base, after } = await takeHeapSnapshots('platform', 2000, '/tmp/heap', 2);
 */
export async function takeHeapSnapshots(kind: ServerKind, connections: number, dir: string, clients = 2): Promise<HeapSnapshots> {
  const scope = 'heap';
  return withFleet({ kind, scope, clients }, async (fleet) => {
    const plan = { kind: 'idle', sharedTopic: 'bench.news', ownTopicPrefix: 'bench.user.u' } as const;
    await fleet.pool.connect({ url: fleet.server.url, secret: fleet.server.secret, total: WARMUP_CONNECTIONS, plan, firstIndex: 10_000_000 });
    await fleet.pool.disconnect();
    await sleep(1000);
    const base = join(dir, `${kind}-base.heapsnapshot`);
    const after = join(dir, `${kind}-${connections}.heapsnapshot`);
    const before = await fleet.server.stats(true);
    await fleet.server.heapSnapshot(base);
    await connectReceivers(fleet, scope, connections, plan);
    await sleep(1000);
    const stats = await fleet.server.stats(true);
    await fleet.server.heapSnapshot(after);
    progress(scope, `${kind}: snapshots in ${dir}`);
    return { kind, connections, base, after, heapPerConnection: (stats.heapUsed - before.heapUsed) / connections };
  });
}

/**
 * What the breakdown groups a connection's new objects into, matched against the owner labels of
 * {@link HeapDiff.byOwner} in this order; whatever matches none is the transport (engine.io, ws,
 * the HTTP upgrade request, Socket.IO's Client and decoder), which both servers share.
 */
export const HEAP_CATEGORIES: ReadonlyArray<{ name: string; owner: RegExp }> = [
  { name: "Socket.IO socket object and its emitter's listener table", owner: /^Socket( \(itself\)|\._events|\.properties)/ },
  { name: "Socket.IO socket's middleware and onAny arrays", owner: /^Socket\.(fns|_anyListeners)/ },
  { name: 'closures of server/ (and their contexts)', owner: /server\// },
  { name: 'timers', owner: /^Timeout/ },
  { name: 'socket.data (the principal)', owner: /^Socket\.data/ },
  { name: 'adapter rooms (topic, listening, user presence rooms)', owner: /^Adapter\./ },
  { name: 'subscription index', owner: /^SubscriptionIndex/ },
  { name: 'listening registry (LocalSubscribers)', owner: /^LocalSubscribers/ },
  { name: 'event history streams (one per subscribed topic)', owner: /EventHistory/ },
  { name: 'presence store', owner: /Presence/ },
];

/** Bytes per connection in each of {@link HEAP_CATEGORIES}, then the rest (the transport), then the total. */
export function categorise(diff: HeapDiff, connections: number): Array<{ name: string; bytes: number }> {
  const totals = HEAP_CATEGORIES.map(({ name }) => ({ name, bytes: 0 }));
  let rest = 0;
  for (const entry of diff.byOwner) {
    const index = HEAP_CATEGORIES.findIndex(({ owner }) => owner.test(entry.label));
    const total = totals[index];
    if (total === undefined) rest += entry.bytes;
    else total.bytes += entry.bytes;
  }
  return [
    ...totals.map(({ name, bytes }) => ({ name, bytes: bytes / connections })),
    { name: 'transport and the rest (engine.io, ws, HTTP upgrade, Socket.IO client)', bytes: rest / connections },
    { name: 'total (self sizes of every new object)', bytes: diff.newBytes / connections },
  ];
}

/**
 * The breakdown as a markdown table, platform beside bare Socket.IO, bytes per connection.
 *
 * @example
 * breakdownTable(categorise(platformDiff, 1000), categorise(bareDiff, 1000));
 */
export function breakdownTable(platform: Array<{ name: string; bytes: number }>, bare: Array<{ name: string; bytes: number }>): string {
  const lines = ["| where an idle connection's heap goes (bytes per connection) | platform | bare Socket.IO |", '|---|---:|---:|'];
  platform.forEach((row, index) => {
    lines.push(`| ${row.name} | ${Math.round(row.bytes).toLocaleString('en-US')} | ${Math.round(bare[index]?.bytes ?? 0).toLocaleString('en-US')} |`);
  });
  return lines.join('\n');
}

/**
 * Case 4's breakdown: snapshots of both servers at `connections`, compared and grouped, as a
 * markdown table; the snapshots are deleted afterwards.
 *
 * @example
 * const table = await heapBreakdown(1000, 2);
 */
export async function heapBreakdown(connections: number, clients: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-heap-'));
  try {
    const groups: Array<Array<{ name: string; bytes: number }>> = [];
    for (const kind of ['platform', 'bare'] as const) {
      const snapshots = await takeHeapSnapshots(kind, connections, dir, clients);
      groups.push(categorise(diffHeapSnapshots(snapshots.base, snapshots.after), connections));
      rmSync(snapshots.base);
      rmSync(snapshots.after);
    }
    return breakdownTable(groups[0] ?? [], groups[1] ?? []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
